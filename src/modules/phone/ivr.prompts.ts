import type { Lang, Prompt } from "./ivr.rules.ts";

/**
 * What the IVR says, by prompt key, in Mandarin and English. `{name}` takes a value; a prompt's
 * `digits` are read one by one (an ID number, a card number, a reference — never as a quantity), and
 * `X` is said as the letter. Recorded prompts replace the synthesised ones by the same key.
 */
export const PROMPTS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  welcome_12333: {
    zh: "您好，欢迎致电人力资源和社会保障服务热线。",
    en: "Welcome to the human resources and social security hotline.",
  },
  welcome_96102: {
    zh: "您好，这里是社会保障卡挂失热线，二十四小时服务。",
    en: "This is the social security card loss line, open 24 hours.",
  },
  menu_12333: {
    zh: "查询社保卡状态和申领进度请按1，查询医保卡号请按2，查询医保个人账户余额和消费请按3，查询缴费、欠费和待遇发放请按4，查询就近服务网点请按5，初始密码说明请按6，人工服务请按0，For English press 9。",
    en: "Card status and application progress, press 1. Medical insurance number, press 2. Medical account balance and spending, press 3. Contributions, arrears and benefits paid to the card, press 4. The nearest outlet, press 5. The initial password, press 6. An agent, press 0.",
  },
  menu_96102: {
    zh: "用身份证号码和社保卡密码挂失，请按1；忘记密码请按0转人工服务。For English press 9。",
    en: "To report your card lost with your ID number and card password, press 1. If you do not know the password, press 0 for an agent.",
  },
  enter_id: {
    zh: "请输入18位身份证号码，末位X请按星号键，以井号键结束。",
    en: "Key your 18-character ID number; for the final X press star; finish with hash.",
  },
  confirm_id: {
    zh: "您输入的身份证号码是：{digits}。确认请按1，重新输入请按2。",
    en: "You keyed: {digits}. To confirm press 1; to key it again press 2.",
  },
  enter_pin: {
    zh: "请输入6位社保卡密码，以井号键结束。",
    en: "Key your 6-digit card password, then hash.",
  },
  invalid_entry: { zh: "输入有误。", en: "That entry is not valid." },
  no_entry: { zh: "没有收到您的输入。", en: "Nothing was keyed." },
  to_agent: { zh: "正在为您转接人工服务，请稍候。", en: "Transferring you to an agent; please hold." },
  goodbye: { zh: "感谢您的来电，再见。", en: "Thank you for calling. Goodbye." },
  back_to_menu: { zh: "下面返回主菜单。", en: "Back to the main menu." },
  password_wrong: {
    zh: "密码错误，您还可以尝试{left}次。",
    en: "Wrong password; {left} tries left.",
  },
  password_locked: {
    zh: "密码已锁定，请携带身份证件到社保卡服务网点办理解锁。",
    en: "The password is locked: take your ID document to a card service outlet to unlock it.",
  },
  password_tries_used: {
    zh: "本次通话密码输入次数已用完。",
    en: "No more password tries in this call.",
  },
  not_found: {
    zh: "没有查到该身份证号码的社会保障卡信息，请核对后再查，或到服务网点咨询。",
    en: "No social security card was found for this ID number; check it, or ask at an outlet.",
  },
  card_state: {
    zh: "您尾号{last4}的社会保障卡当前状态为：{state}。",
    en: "Your card ending {last4} is: {state}.",
  },
  medical_number: {
    zh: "您的医保卡号（社保卡条形码号码）是：{digits}。",
    en: "Your medical insurance number, the card's bar code, is: {digits}.",
  },
  no_medical_number: {
    zh: "没有查到您的医保个人编号，请确认已参加医疗保险。",
    en: "No medical insurance number was found: check that you are enrolled.",
  },
  account_balance: {
    zh: "您的医保个人账户余额为{yuan}元。",
    en: "Your medical account balance is {yuan} yuan.",
  },
  last_settlement: {
    zh: "{date}，在{place}消费{yuan}元。",
    en: "On {date}, {yuan} yuan at {place}.",
  },
  no_settlements: { zh: "近期没有消费记录。", en: "No recent spending." },
  insurance_paid: {
    zh: "您在{area}的{scheme}最近缴费月份为{month}。",
    en: "Your {scheme} in {area}: last month paid {month}.",
  },
  insurance_none: { zh: "没有查到参保缴费记录。", en: "No enrolment was found." },
  arrears: {
    zh: "您自{from}起有欠费，请及时补缴，以免影响医保待遇。",
    en: "You are in arrears since {from}: please pay to keep your medical benefits.",
  },
  no_arrears: { zh: "您目前没有欠费。", en: "You have no arrears." },
  benefit_paid: {
    zh: "{year}年{month}月的{kind_zh}{yuan}元已发放到您尾号{last4}的社会保障卡。",
    en: "Your {kind_en} for {year}-{month}, {yuan} yuan, was paid to your card ending {last4}.",
  },
  benefit_under_way: {
    zh: "{year}年{month}月的{kind_zh}{yuan}元正在发放中。",
    en: "Your {kind_en} for {year}-{month}, {yuan} yuan, is being paid.",
  },
  benefit_failed: {
    zh: "{year}年{month}月的{kind_zh}{yuan}元未能发放到社会保障卡。{remedy_zh}",
    en: "Your {kind_en} for {year}-{month}, {yuan} yuan, could not be paid to your card. {remedy_en}",
  },
  outlet: { zh: "{name}，地址：{address}。", en: "{name}, at {address}." },
  no_outlets: { zh: "本地区暂无服务网点信息。", en: "No outlets are listed for this area." },
  initial_password_last6: {
    zh: "社保卡初始密码为社会保障卡卡号的后6位。领卡后请尽快修改密码，初始密码只能用于查询。",
    en: "The initial password is the last 6 characters of the card number. Change it soon: the initial password only allows queries.",
  },
  initial_password_fixed: {
    zh: "社保卡初始密码为{digits}。领卡后请尽快修改密码，初始密码只能用于查询。",
    en: "The initial password is {digits}. Change it soon: the initial password only allows queries.",
  },
  pre_loss_done: {
    zh: "您尾号{last4}的社会保障卡已临时挂失，即时生效。挂失受理编号为：{digits}。请在规定期限内持身份证件到服务网点办理正式挂失和补卡。",
    en: "Your card ending {last4} is reported lost, in force now. The reference is: {digits}. Within the set period, bring your ID document to an outlet for the formal loss and a replacement.",
  },
  pre_loss_already: {
    zh: "您的社会保障卡已处于临时挂失状态。",
    en: "Your card is already reported lost.",
  },
  pre_loss_impossible: {
    zh: "您的社会保障卡当前状态为{state}，无法电话挂失，请到服务网点办理。",
    en: "Your card is {state}: it cannot be reported lost by phone; please go to an outlet.",
  },
};

/** How each card state is told to a caller (seed 001: "archived" means the social security function is not activated). */
export const STATE_WORDS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  applied: { zh: "已受理申领，等待制卡", en: "applied for, waiting for production" },
  in_production: { zh: "制卡中", en: "in production" },
  delivered: { zh: "已制成，可到网点领取", en: "made, ready to collect at the outlet" },
  archived: {
    zh: "封存，即社保卡的社保功能尚未启用；如未领卡请先领卡，领卡后到网点或银行启用",
    en: "archived: the card's social security function is not activated yet; collect the card, then have it activated",
  },
  active: { zh: "正常使用", en: "in use" },
  temporarily_lost: { zh: "临时挂失", en: "reported lost" },
  formally_lost: { zh: "正式挂失", en: "formally lost" },
  locked: { zh: "密码锁定", en: "password locked" },
  expired: { zh: "已过有效期", en: "expired" },
  cancelled: { zh: "已注销", en: "cancelled" },
};

const DIGIT_WORDS: Readonly<Record<Lang, readonly string[]>> = {
  zh: ["零", "幺", "二", "三", "四", "五", "六", "七", "八", "九"],
  en: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
};

/** Digits as they are read out: one by one (幺 for 1, as on the telephone), X as the letter. */
export function spelled(digits: string, lang: Lang): string {
  return [...digits]
    .map((d) => (/\d/.test(d) ? DIGIT_WORDS[lang][Number(d)] : d))
    .join(lang === "zh" ? " " : ", ");
}

/** A prompt as words in the caller's language. */
export function promptText(prompt: Prompt, lang: Lang): string {
  const text = PROMPTS[prompt.key]?.[lang] ?? prompt.key;
  const values: Record<string, string | undefined> = {
    ...prompt.values,
    ...(prompt.digits !== undefined ? { digits: spelled(prompt.digits, lang) } : {}),
  };
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}
