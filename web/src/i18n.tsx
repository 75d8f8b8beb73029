import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { setApiLanguage } from "./api.ts";

/** Every text of the front ends, in Chinese (the default) and English. */
const TEXTS = {
  appName: { zh: "社会保障卡服务平台", en: "Social Security Card Services" },
  counter: { zh: "柜面业务系统", en: "Counter console" },
  hall: { zh: "网上服务大厅", en: "Online service hall" },
  language: { zh: "English", en: "中文" },
  languageLabel: { zh: "切换为英文", en: "Switch to Chinese" },
  staffLogin: { zh: "工作人员登录", en: "Staff sign-in" },
  holderLogin: { zh: "持卡人登录", en: "Card holder sign-in" },
  username: { zh: "用户名", en: "User name" },
  password: { zh: "密码", en: "Password" },
  idNumber: { zh: "身份证号码", en: "ID number" },
  cardPassword: { zh: "社保卡服务密码（6 位数字）", en: "Card service password (6 digits)" },
  signIn: { zh: "登录", en: "Sign in" },
  signOut: { zh: "退出", en: "Sign out" },
  noLinks: {
    zh: "安全提示：人社部门的官方短信和通知从不包含链接，请勿点击陌生链接或向任何人透露密码。",
    en: "Security notice: official messages from the social security authorities never contain links. Never click unknown links or share your password.",
  },
  search: { zh: "查询办理", en: "Find and serve" },
  searchLabel: { zh: "身份证号码或社保卡卡号", en: "ID number or card number" },
  searchHint: {
    zh: "输入 18 位身份证号码或 9 位卡号后回车。",
    en: "Type an 18-character ID number or a 9-character card number, then press Enter.",
  },
  find: { zh: "查询", en: "Find" },
  idLength: {
    zh: "身份证号码应为 18 位（已输入 {n} 位）",
    en: "An ID number has 18 characters ({n} so far)",
  },
  idCheck: { zh: "身份证号码校验位不正确", en: "The ID number's check character is wrong" },
  idOk: { zh: "身份证号码格式正确", en: "The ID number is well formed" },
  person: { zh: "人员信息", en: "Person" },
  name: { zh: "姓名", en: "Name" },
  sex: { zh: "性别", en: "Sex" },
  birthDate: { zh: "出生日期", en: "Birth date" },
  reveal: { zh: "显示完整证件号", en: "Show full ID number" },
  revealReason: { zh: "查看原因（将记入审计日志）", en: "Reason (recorded in the audit log)" },
  cards: { zh: "社保卡", en: "Cards" },
  noCards: {
    zh: "此人还没有社保卡。可在下方为其申领。",
    en: "This person has no card yet. Apply for one below.",
  },
  cardNumber: { zh: "卡号", en: "Card number" },
  state: { zh: "状态", en: "State" },
  validUntil: { zh: "有效期至", en: "Valid until" },
  history: { zh: "变更记录", en: "History" },
  actions: { zh: "可办理业务", en: "What can be done" },
  apply: { zh: "申领社保卡", en: "Apply for a card" },
  applied: {
    zh: "已受理申领，卡号 {card}。下一步：制卡完成后通知领卡。",
    en: "Application accepted, card {card}. Next: production, then collection.",
  },
  holderIdNumber: { zh: "持卡人出示的身份证号码", en: "ID number on the document the holder shows" },
  activateNow: { zh: "同时启用社保功能", en: "Activate the social security function now" },
  confirm: { zh: "确认办理", en: "Confirm" },
  cancel: { zh: "取消", en: "Cancel" },
  done: { zh: "办理成功", en: "Done" },
  tempCert: {
    zh: "临时就医凭证号：{cert}；新卡预计 {date} 可领取；工本费 {fee} 元。",
    en: "Temporary medical certificate: {cert}; the new card is ready on {date}; fee {fee} yuan.",
  },
  enrolments: { zh: "参保信息", en: "Enrolment" },
  noEnrolments: { zh: "暂无参保记录。", en: "No enrolment yet." },
  bankTasks: { zh: "银行销户任务", en: "Bank account tasks" },
  noTasks: { zh: "没有待处理的销户任务。", en: "No open account-cancellation tasks." },
  production: { zh: "制卡批次", en: "Production" },
  sendToProduction: { zh: "发送本地区待制卡申请", en: "Send this area's applications to production" },
  allProduced: { zh: "导入回盘：全部制卡成功", en: "Import the return file: all produced" },
  audit: { zh: "审计日志", en: "Audit log" },
  verifyChain: { zh: "校验审计链", en: "Verify the audit chain" },
  chainOk: { zh: "审计链完整：共 {n} 条记录。", en: "The audit chain is intact: {n} records." },
  onlineCheck: { zh: "参保在线核验", en: "Online insurance check" },
  checkCard: { zh: "核验", en: "Check" },
  myCards: { zh: "我的社保卡", en: "My cards" },
  preLoss: { zh: "临时挂失", en: "Report lost (temporary)" },
  revokeLoss: { zh: "解除挂失", en: "Revoke the loss report" },
  preLossDone: {
    zh: "已临时挂失：卡片结算功能已停止。找回后可在此解除挂失；如确认遗失，请到服务网点办理正式挂失补卡。",
    en: "Reported lost: the card can no longer be used to pay. Revoke the report here if you find it; otherwise replace it at an outlet.",
  },
  changePassword: { zh: "修改服务密码", en: "Change the password" },
  renew: { zh: "到期换卡申请", en: "Apply for renewal" },
  renewConsent: {
    zh: "我同意制作新卡，并使用在册照片",
    en: "I agree to a new card being made with my photo on file",
  },
  renewalApplied: {
    zh: "换卡申请已受理：新卡号 {card}，预计 {date} 可领取（使用在册照片制卡）。",
    en: "Renewal accepted: new card {card}, ready on {date}, made with the photo on file.",
  },
  currentPassword: { zh: "当前密码", en: "Current password" },
  newPassword: { zh: "新密码（6 位数字）", en: "New password (6 digits)" },
  passwordChanged: { zh: "密码已修改。", en: "The password is changed." },
  checks: { zh: "用卡记录（哪些机构读取过我的卡）", en: "Who checked my card" },
  noChecks: { zh: "还没有机构核验过这张卡。", en: "No institution has checked this card yet." },
  readyDate: { zh: "预计领卡日期", en: "Ready on" },
  loading: { zh: "加载中…", en: "Loading…" },
  notFound: { zh: "没有找到。请检查号码后重试。", en: "Nothing found. Check the number and try again." },
  role: { zh: "岗位", en: "Role" },
  letterRef: { zh: "单位介绍信编号", en: "Employer's letter reference" },
  policies: { zh: "区域政策", en: "Area policy" },
  ecard: { zh: "电子社保卡", en: "Electronic card" },
  ecardScope: { zh: "当前可用", en: "Usable now" },
  ecardChannels: { zh: "已在以下应用中领取", en: "Signed up in" },
  ecardNoChannels: { zh: "尚未在任何应用中领取", en: "no app yet" },
  ecardPayments: { zh: "近期扫码支付次数", en: "Recent code payments" },
  ecardSuspend: { zh: "一键停用电子社保卡", en: "Suspend my e-card everywhere" },
  ecardResume: { zh: "恢复使用电子社保卡", en: "Resume my e-card" },
  ecardSuspended: { zh: "已在所有应用中停用电子社保卡。", en: "Your e-card is suspended in every app." },
  ecardResumed: {
    zh: "电子社保卡已恢复，请在应用中刷新。",
    en: "Your e-card is resumed: refresh it in the app.",
  },
  ecardAuthorise: { zh: "挂失期间授权使用 4 小时", en: "Authorise use for 4 hours while lost" },
  ecardAuthorised: { zh: "已授权，{until} 前可使用电子社保卡。", en: "Authorised until {until}." },
  ecardSignIn: { zh: "电子社保卡扫码登录", en: "Sign in with the e-card" },
  ecardCode: { zh: "电子社保卡身份码", en: "E-card identity code" },
  scanSignIn: { zh: "扫码登录", en: "Sign in with the code" },
  ecardCodeHint: {
    zh: "在手机应用中打开电子社保卡，出示“身份码”，用扫码枪扫描（扫描后自动登录），或粘贴码串后按回车。",
    en: "Open the e-card in your app and show the identity code: scan it with the scanner (it signs in by itself), or paste it and press Enter.",
  },
  ecardBiometric: { zh: "人脸图像保存授权", en: "Kept face images" },
  ecardBiometricKept: {
    zh: "您已同意保存人脸图像，目前保存 {n} 张（加密存储）。",
    en: "You agreed that face images are kept: {n} kept, encrypted.",
  },
  ecardBiometricNone: {
    zh: "未保存您的人脸图像：核验后即删除。",
    en: "No face image of yours is kept: each is deleted after the check.",
  },
  ecardBiometricWithdraw: { zh: "撤回授权并删除人脸图像", en: "Withdraw consent and delete the images" },
  ecardBiometricWithdrawn: {
    zh: "已撤回授权，删除 {n} 张人脸图像。",
    en: "Consent withdrawn: {n} images deleted.",
  },
  arrears: { zh: "欠费停保", en: "Arrears" },
  arrearsFrom: { zh: "欠费开始日期", en: "Arrears from" },
  recordArrears: { zh: "登记欠费", en: "Record arrears" },
  endArrears: { zh: "已补缴，恢复医保功能", en: "Paid: resume the medical function" },
  arrearsRecorded: {
    zh: "已登记欠费：医保功能已暂停，读卡时将提示“医保功能已暂停”。",
    en: "Arrears recorded: the medical function is suspended; card reading will say so.",
  },
  arrearsEnded: {
    zh: "欠费已于 {date} 结束，医保功能已恢复。",
    en: "Arrears ended on {date}: the medical function is back.",
  },
  registerEmployee: { zh: "新员工参保登记", en: "Register a new employee" },
  registrationDeadline: {
    zh: "用人单位应自用工之日起 30 日内为职工办理社会保险登记（《社会保险法》第五十八条）。",
    en: "An employer registers each employee with the social insurance agency within 30 days of hiring (Social Insurance Law, art. 58).",
  },
  nameIfNew: {
    zh: "首次参保人员需填写姓名和民族代码",
    en: "Needed when the person is not registered yet, with the ethnicity code",
  },
  ethnicity: { zh: "民族代码（汉族为 01）", en: "Ethnicity code (01: Han)" },
  hiredOn: { zh: "用工日期", en: "Hired on" },
  registered: { zh: "登记成功：", en: "Registered:" },
  registeredLate: {
    zh: "已登记，但超过 30 日（用工后第 {days} 日）：",
    en: "Registered, but later than 30 days (day {days} after hiring):",
  },
  duplicates: { zh: "重复持卡处理", en: "Duplicate cards" },
  noDuplicates: { zh: "没有一人多卡的记录。", en: "No one holds several cards in a province." },
  cancelDuplicate: { zh: "作为重复卡注销", en: "Cancel as a duplicate" },
  apiKeys: { zh: "接入密钥", en: "API keys" },
  newApiKey: { zh: "新建接入密钥", en: "New API key" },
  keyName: { zh: "机构或终端名称", en: "Institution or terminal" },
  createKey: { zh: "生成密钥", en: "Create the key" },
  tokenOnce: {
    zh: "密钥只显示这一次，请立即交给接入机构妥善保存：",
    en: "The key is shown only this once; hand it to the institution now:",
  },
  revoke: { zh: "吊销", en: "Revoke" },
  revoked: { zh: "已吊销", en: "revoked" },
  personalNumber: { zh: "个人编号", en: "personal number" },
  counterReason: { zh: "柜面办理", en: "at the counter" },
  mergeNumbers: { zh: "合并个人编号", en: "Merge personal numbers" },
  previewMerge: { zh: "预览合并", en: "Preview the merge" },
  mergePlan: {
    zh: "保留个人编号 {survivor}，{merged} 将作为其别名；所有参保记录和历史保持不变。请核对持卡人身份证后确认。",
    en: "{survivor} stays; {merged} become its aliases; every enrolment and history is kept. Check the holder's ID, then confirm.",
  },
  merged: { zh: "已合并，保留个人编号 {survivor}。", en: "Merged: {survivor} is the personal number now." },
  enrol: { zh: "参保登记", en: "Enrol" },
  scheme: { zh: "险种", en: "Scheme" },
  countyCode: { zh: "参保县区代码", en: "County code" },
  startDate: { zh: "参保开始日期", en: "Start date" },
  suspendOther: {
    zh: "同时暂停本统筹区其他县区的同类参保（跨县区流动）",
    en: "Suspend the same kind of enrolment in the area's other counties (a move)",
  },
  enrolled: { zh: "参保登记成功，个人编号 {number}。", en: "Enrolled: personal number {number}." },
  enrolledWithDuplicates: {
    zh: "参保登记成功，但本统筹区其他县区还有 {n} 条有效参保：请暂停，否则读卡将提示“多次参保”。",
    en: "Enrolled, but {n} active enrolments remain in other counties of the area: suspend them, or card reading will report multiple enrolment.",
  },
  batchApply: { zh: "单位批量申领", en: "Employer batch applications" },
  batchFormat: {
    zh: "CSV 文件，首行为列名：id_number,name,ethnicity,employer_code,employer_name（可选 phone、bank_code、photo_ref）。",
    en: "A CSV file whose first line names the columns: id_number,name,ethnicity,employer_code,employer_name (optional phone, bank_code, photo_ref).",
  },
  csvFile: { zh: "选择 CSV 文件", en: "Choose a CSV file" },
  csvReady: { zh: "已选择 {file}，共 {n} 行。", en: "{file} chosen: {n} rows." },
  importBatch: { zh: "开始导入", en: "Import" },
  importing: { zh: "正在导入 {n} 行，请稍候…", en: "Importing {n} rows, please wait…" },
  batchResult: {
    zh: "导入完成：受理 {ok} 行，退回 {bad} 行（原因见下表）。",
    en: "Done: {ok} rows accepted, {bad} rejected (reasons below).",
  },
  line: { zh: "行号", en: "Line" },
  staff: { zh: "工作人员", en: "Staff" },
  newStaff: { zh: "新增工作人员", en: "New staff account" },
  initialStaffPassword: {
    zh: "初始密码（至少 12 位，含字母和数字）",
    en: "Initial password (12+ characters with letters and digits)",
  },
  areaCode: { zh: "所属区域代码", en: "Area code" },
  createStaff: { zh: "创建账号", en: "Create the account" },
  disable: { zh: "停用", en: "Disable" },
  confirmAccountClosed: { zh: "确认已销户", en: "Confirm the account is closed" },
  policyInForce: {
    zh: "当前执行本区域第 {v} 版政策。",
    en: "Version {v} of this area's policy is in force.",
  },
  policyInherited: {
    zh: "本区域没有自己的政策，执行上级（{area}）的政策。",
    en: "This area has no policy of its own: {area}'s applies.",
  },
  noOwnPolicy: { zh: "尚无本区域自己的政策版本。", en: "No policy version of this area's own yet." },
  version: { zh: "版本", en: "Version" },
  effectiveFrom: { zh: "生效日期", en: "Effective from" },
  inForce: { zh: "执行中", en: "in force" },
  lockout: { zh: "密码错误锁定次数", en: "Wrong passwords before lockout" },
  lockoutMode: { zh: "锁定方式", en: "Lockout rule" },
  renewalLeadDays: { zh: "到期前可换卡天数", en: "Renewal window (days before expiry)" },
  replacementReadyWorkingDays: { zh: "补卡制卡工作日", en: "Replacement ready in (working days)" },
  replacementFeeYuan: { zh: "补卡工本费（元）", en: "Replacement fee (yuan)" },
  cardValidityYears: { zh: "卡有效期（年）", en: "Card validity (years)" },
  initialPasswordRule: { zh: "初始密码规则", en: "Initial password rule" },
  initialPasswordValue: { zh: "统一初始密码", en: "Fixed initial password" },
  newPolicyVersion: { zh: "新增政策版本", en: "New policy version" },
  savePolicy: { zh: "保存新版本", en: "Save the new version" },
  policySaved: { zh: "已保存第 {v} 版，自 {date} 起执行。", en: "Version {v} saved; in force from {date}." },
  time: { zh: "时间", en: "Time" },
  action: { zh: "操作", en: "Action" },
  reason: { zh: "原因", en: "Reason" },
  checksStaff: { zh: "在线核验记录", en: "Online checks" },
} as const;

export type TextKey = keyof typeof TEXTS;
export type Lang = "zh" | "en";

/** Card states, actions, roles and schemes by their codes. */
const CODES: Record<string, { zh: string; en: string }> = {
  applied: { zh: "已申领", en: "applied" },
  in_production: { zh: "制卡中", en: "in production" },
  delivered: { zh: "待领取", en: "waiting at the outlet" },
  archived: { zh: "已领取未启用", en: "issued, not activated" },
  active: { zh: "正常", en: "active" },
  temporarily_lost: { zh: "临时挂失", en: "temporarily lost" },
  formally_lost: { zh: "正式挂失", en: "formally lost" },
  locked: { zh: "密码锁定", en: "password locked" },
  expired: { zh: "已过期", en: "expired" },
  cancelled: { zh: "已注销", en: "cancelled" },
  issue: { zh: "发卡", en: "issue" },
  issue_and_activate: { zh: "发卡并启用", en: "issue and activate" },
  activate: { zh: "启用社保功能", en: "activate" },
  report_temporary_loss: { zh: "临时挂失", en: "report lost" },
  revoke_temporary_loss: { zh: "解除挂失", en: "revoke loss" },
  report_formal_loss: { zh: "正式挂失并补卡", en: "formal loss and replacement" },
  cancel: { zh: "注销", en: "cancel" },
  lock: { zh: "锁定", en: "lock" },
  unlock: { zh: "解锁", en: "unlock" },
  expire: { zh: "过期", en: "expire" },
  send_to_production: { zh: "送制卡", en: "sent to production" },
  production_failed: { zh: "制卡失败", en: "production failed" },
  deliver: { zh: "制卡完成", en: "delivered" },
  apply: { zh: "申领", en: "application" },
  ministry_admin: { zh: "部级管理员", en: "ministry administrator" },
  province_admin: { zh: "省级管理员", en: "province administrator" },
  city_admin: { zh: "市级管理员", en: "city administrator" },
  outlet_clerk: { zh: "网点柜员", en: "outlet clerk" },
  bank_clerk: { zh: "银行柜员", en: "bank clerk" },
  medical_operator: { zh: "定点医院操作员", en: "hospital operator" },
  pharmacy_operator: { zh: "定点药店操作员", en: "pharmacy operator" },
  auditor: { zh: "审计员", en: "auditor" },
  employer_operator: { zh: "用人单位经办人", en: "employer operator" },
  employee_medical: { zh: "职工基本医疗保险", en: "employee medical" },
  resident_medical: { zh: "城乡居民基本医疗保险", en: "resident medical" },
  employee_pension: { zh: "职工基本养老保险", en: "employee pension" },
  resident_pension: { zh: "城乡居民基本养老保险", en: "resident pension" },
  unemployment: { zh: "失业保险", en: "unemployment" },
  work_injury: { zh: "工伤保险", en: "work injury" },
  maternity: { zh: "生育保险", en: "maternity" },
  suspended: { zh: "暂停", en: "suspended" },
  sealed: { zh: "封存", en: "sealed" },
  terminated: { zh: "终止", en: "terminated" },
  transferred_out: { zh: "转出", en: "transferred out" },
  INSURED: { zh: "参保正常", en: "insured" },
  scope_all: { zh: "全部服务", en: "all services" },
  scope_query: { zh: "仅查询", en: "queries only" },
  scope_none: { zh: "不可用", en: "not usable" },
  issue_to_employer: { zh: "单位代领", en: "issue to the employer" },
  card_number_last6: { zh: "卡号后 6 位数字", en: "last 6 digits of the card number" },
  accepted: { zh: "已受理", en: "accepted" },
  rejected: { zh: "退回", en: "rejected" },
  disabled: { zh: "已停用", en: "disabled" },
  fixed: { zh: "统一初始密码", en: "one fixed value" },
  consecutive: { zh: "连续错误", en: "consecutive" },
  daily: { zh: "每日累计", en: "per day" },
  replacement: { zh: "补换卡（换卡）", en: "replace or renew" },
  password_unlock: { zh: "密码解锁", en: "unlock the password" },
  password_reset: { zh: "密码重置", en: "reset the password" },
  financial_activate: { zh: "激活金融功能", en: "activate the bank function" },
  holder_request: { zh: "本人申请", en: "holder's request" },
  duplicate: { zh: "重复持卡", en: "duplicate card" },
  death: { zh: "持卡人死亡", en: "death of the holder" },
  transfer_out: { zh: "转出", en: "moved away" },
  emigration: { zh: "出国定居", en: "emigration" },
  expiry: { zh: "到期换卡", en: "renewal at expiry" },
  damaged: { zh: "卡面损坏", en: "damaged" },
  chip_failure: { zh: "芯片故障", en: "chip failure" },
  data_changed: { zh: "信息变更", en: "data changed" },
  photo_changed: { zh: "更换照片", en: "new photo" },
  CARD_NUMBER_NOT_FOUND: { zh: "卡号不存在", en: "card number not found" },
  CARD_DATA_MISMATCH: { zh: "卡信息与身份信息不一致", en: "card data differ from the ID record" },
  CARD_INVALID: { zh: "卡已失效", en: "card invalid" },
  CARD_NOT_ENABLED: { zh: "卡未启用", en: "card not enabled" },
  CARD_TEMPORARILY_LOST: { zh: "卡已临时挂失", en: "card temporarily lost" },
  CARD_EXPIRED: { zh: "卡已过期", en: "card expired" },
  MULTIPLE_ENROLMENT_IN_AREA: { zh: "本统筹区多次参保", en: "insured several times in the area" },
  MULTIPLE_PERSONAL_NUMBERS: { zh: "本统筹区有多个个人编号", en: "several personal numbers in the area" },
  MEDICAL_NUMBER_NOT_FOUND: { zh: "未找到医保卡号", en: "no medical insurance number" },
  MEDICAL_FUNCTION_SUSPENDED: { zh: "医保功能已暂停", en: "medical function suspended" },
  web: { zh: "网上大厅", en: "online hall" },
  counter: { zh: "柜面", en: "counter" },
  system: { zh: "系统", en: "system" },
};

type Translate = ((key: TextKey, values?: Record<string, string | number>) => string) & {
  code: (code: string) => string;
  lang: Lang;
};

const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: "zh",
  setLang: () => {},
});

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem("sscard.lang") === "en" ? "en" : "zh"));
  useEffect(() => {
    localStorage.setItem("sscard.lang", lang);
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    setApiLanguage(lang);
  }, [lang]);
  setApiLanguage(lang);
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/** The translator for the chosen language: `t("key", { n: 3 })`, and `t.code(state)` for codes. */
export function useT(): Translate {
  const { lang } = useContext(LangContext);
  const t = ((key: TextKey, values?: Record<string, string | number>) => {
    let s: string = TEXTS[key][lang];
    for (const [k, v] of Object.entries(values ?? {})) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  }) as Translate;
  t.code = (code: string) => CODES[code]?.[lang] ?? code;
  t.lang = lang;
  return t;
}
