/** The self-service kiosk's words (touch screens in outlets and hospitals). */
export const KIOSK_TEXTS = {
  kioskTitle: {
    zh: "{area}人力资源和社会保障自助服务终端",
    en: "{area} Human Resources and Social Security Self-service Terminal",
  },
  kioskSetup: { zh: "终端配置（工作人员）", en: "Terminal set-up (staff)" },
  kioskKey: { zh: "本终端的自助终端密钥", en: "This terminal's kiosk key" },
  kioskSave: { zh: "保存", en: "Save" },
  kioskWelcome: {
    zh: "请插入社会保障卡或刷居民身份证登录",
    en: "Insert your social security card or swipe your resident ID card to sign in",
  },
  kioskHardware: { zh: "设备状态：{state}", en: "Devices: {state}" },
  kioskNoAgent: {
    zh: "读卡器和打印机未连接（设备服务未运行），可输入卡号登录，打印将显示为 PDF",
    en: "No card reader or printer (the device service is not running): sign in with the card number; printing shows a PDF",
  },
  kioskByNumber: { zh: "输入社保卡号登录", en: "Sign in with the card number" },
  kioskPreLossNoLogin: { zh: "社保卡挂失（无需登录）", en: "Report a lost card (no sign-in)" },
  kioskPinPad: {
    zh: "请在下方数字键盘输入 6 位社保卡密码",
    en: "Type the 6-digit card password on the pad below",
  },
  kioskDigits: { zh: "已输入 {n} 位", en: "{n} digits typed" },
  kioskClear: { zh: "清除", en: "Clear" },
  kioskOk: { zh: "确定", en: "OK" },
  kioskInquiry: { zh: "业务查询", en: "Business inquiry" },
  kioskHandling: { zh: "业务办理", en: "Business handling" },
  kioskPolicy: { zh: "政策咨询", en: "Policy consultation" },
  kioskConvenience: { zh: "便民服务", en: "Convenience service" },
  kioskExit: { zh: "退出并取卡", en: "Sign out and take the card" },
  kioskIdle: {
    zh: "长时间无操作，已自动退出，请取走您的卡",
    en: "Signed out after inactivity: please take your card",
  },
  kioskQueryOnly: {
    zh: "刷身份证登录仅可查询和打印；办理业务请插入社会保障卡并输入密码",
    en: "Signed in with the ID card: inquiry and printing only; insert the card and type its password to do more",
  },
  kioskPreLossDone: {
    zh: "挂失成功：卡 {card} 已停止使用（{name}）",
    en: "Reported lost: card {card} is stopped ({name})",
  },
  kioskPolicyLine: { zh: "{label}：{value}", en: "{label}: {value}" },
  kioskHotlines: {
    zh: "人社服务热线 12333；社保卡挂失热线 96102（24 小时）",
    en: "Service hotline 12333; card loss line 96102 (24 hours)",
  },
  kioskOutlets: { zh: "附近的社保卡服务网点", en: "Card service outlets nearby" },
  kioskCardPulled: { zh: "社保卡已取出，已退出登录", en: "The card was taken out: signed out" },
  kioskCardIn: { zh: "已读取社保卡 {card}", en: "Card {card} read" },
  idCardReader: { zh: "身份证读卡器", en: "ID card reader" },
  cardReader: { zh: "社保卡读卡器", en: "Card reader" },
  printer: { zh: "打印机", en: "Printer" },
  kioskPrint: { zh: "打印（A4，加盖业务章）", en: "Print (A4, sealed)" },
} as const;
