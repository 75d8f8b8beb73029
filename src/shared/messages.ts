import type { ErrorCode, ErrorDetails } from "./errors.ts";
import { type Language, languageOf } from "./language.ts";
import { CHIP_MESSAGES } from "./messages.chip.ts";
import { REASONS } from "./reasons.ts";
import { summaryInChinese } from "./validation-messages.ts";

export { type Language, languageOf };

/** People's messages for every error code, in Chinese (default) and English; `{name}` is filled from details. */
export const MESSAGES = {
  ...CHIP_MESSAGES,
  VALIDATION_FAILED: { zh: "请求内容不符合要求：{summary}", en: "The request is not valid: {summary}" },
  MALFORMED_JSON: { zh: "请求正文不是有效的 JSON", en: "The request body is not valid JSON" },
  PAYLOAD_TOO_LARGE: {
    zh: "请求正文过大（上限 {limit} 字节）",
    en: "The request body is too large (limit {limit} bytes)",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    zh: "不支持的内容类型：{contentType}",
    en: "Unsupported content type: {contentType}",
  },
  MALFORMED_REQUEST: {
    zh: "请求格式不正确，无法处理",
    en: "The request is malformed and cannot be processed",
  },
  MALFORMED_URL: { zh: "请求地址中含有无效的编码", en: "The request address contains an invalid encoding" },
  URL_TOO_LONG: {
    zh: "请求地址中的参数过长（上限 {limit} 个字符）",
    en: "A parameter in the request address is too long (limit {limit} characters)",
  },
  HEADERS_TOO_LARGE: { zh: "请求头过大", en: "The request headers are too large" },
  REQUEST_TIMEOUT: { zh: "请求超时，请重新发送", en: "The request timed out; send it again" },
  ROUTE_NOT_FOUND: { zh: "没有这个接口：{method} {url}", en: "No such endpoint: {method} {url}" },
  UNAUTHENTICATED: {
    zh: "请先登录，或提供有效的访问凭证",
    en: "Sign in or provide a valid credential first",
  },
  FORBIDDEN: { zh: "当前身份无权执行此操作", en: "Your role may not do this" },
  AREA_FORBIDDEN: {
    zh: "无权处理其他发卡地区（{areaCode}）的业务",
    en: "You may not act for another card-issuing area ({areaCode})",
  },
  INVALID_CREDENTIALS: { zh: "用户名或密码错误", en: "Wrong user name or password" },
  ACCOUNT_DISABLED: { zh: "该工作人员账号已停用", en: "This staff account is disabled" },
  ACCOUNT_LOCKED: {
    zh: "密码错误次数过多，账号已暂时锁定，请于 {until} 后重试",
    en: "Too many wrong passwords; the account is locked until {until}",
  },
  WEAK_STAFF_PASSWORD: {
    zh: "工作人员密码至少 12 位，且须包含字母和数字",
    en: "Staff passwords need at least 12 characters with letters and digits",
  },
  INVALID_ID_NUMBER: { zh: "公民身份号码无效：{reason}", en: "Invalid citizen ID number: {reason}" },
  PERSON_EXISTS: { zh: "该公民身份号码已登记", en: "A person with this ID number is already registered" },
  PERSON_NOT_FOUND: { zh: "未找到该人员", en: "No such person" },
  INVALID_REGION_CODE: {
    zh: "行政区划代码无效：{regionCode}",
    en: "Unknown administrative division code: {regionCode}",
  },
  AREA_EXISTS: { zh: "发卡地区 {code} 已存在", en: "Card-issuing area {code} already exists" },
  AREA_NOT_FOUND: { zh: "未找到发卡地区 {code}", en: "No card-issuing area {code}" },
  REFERENCE_NOT_FOUND: {
    zh: "所填 {field} 指向的记录不存在（如未开通的发卡地区），请核对后重试",
    en: "{field} refers to something that does not exist (such as an area that does not issue cards)",
  },
  ISSUER_ID_TAKEN: {
    zh: "发卡机构标识 {issuerId} 已被使用",
    en: "Issuer identification number {issuerId} is taken",
  },
  INVALID_PARENT_AREA: { zh: "上级地区不正确：{reason}", en: "Wrong parent area: {reason}" },
  POLICY_NOT_FOUND: { zh: "{date} 没有生效的地区政策", en: "No policy in force on {date}" },
  POLICY_INVALID: { zh: "地区政策内容无效：{summary}", en: "The policy is not valid: {summary}" },
  POLICY_EFFECTIVE_DATE_IN_PAST: {
    zh: "新政策版本的生效日期不能早于今天（{today}）",
    en: "A new policy version cannot take effect before today ({today})",
  },
  OUTLET_NOT_FOUND: { zh: "未找到服务网点 {id}", en: "No service outlet {id}" },
  STAFF_EXISTS: { zh: "用户名 {username} 已存在", en: "User name {username} is taken" },
  STAFF_NOT_LOCKED: {
    zh: "该账号没有被锁定，无需解锁",
    en: "The account is not locked",
  },
  STAFF_NOT_FOUND: { zh: "未找到该工作人员", en: "No such staff account" },
  ROLE_OUT_OF_SCOPE: {
    zh: "不能授予超出本人权限范围的角色或地区",
    en: "You cannot grant a role or area beyond your own",
  },
  KEY_CHANNEL_NOT_ALLOWED: {
    zh: "接入密钥只能用于机构系统、自助终端、电话热线或网上服务平台渠道（{channel} 不可）；柜面业务须由工作人员登录办理",
    en: "An API key serves an institution's system, a self-service terminal, the hotline or an online platform (not {channel}); counter business needs a staff session",
  },
  PAYER_NOT_ALLOWED: {
    zh: "缴费方不符：{reason}",
    en: "Not this payer: {reason}",
  },
  NOT_AN_EMPLOYEE: {
    zh: "该人员 {month} 不是本单位职工（入职日期：{hiredOn}），单位不能为其缴费",
    en: "This person was not the employer's employee in {month} (hired on: {hiredOn}); the employer cannot pay for them",
  },
  EMPLOYER_NOT_HOLDERS: {
    zh: "单位（{creditCode}）既不是该卡的申领单位，也不是持卡人的用人单位，不能代领",
    en: "The employer ({creditCode}) neither applied for this card nor employs its holder; it cannot collect it",
  },
  CANCEL_EVIDENCE_MISSING: {
    zh: "注销缺少依据：{reason}",
    en: "The cancellation lacks its evidence: {reason}",
  },
  API_KEY_NOT_FOUND: { zh: "未找到该访问密钥", en: "No such API key" },
  CARD_NOT_FOUND: { zh: "未找到该社会保障卡", en: "No such social security card" },
  CERTIFICATE_NOT_FOUND: {
    zh: "未找到该凭证（编号不存在）",
    en: "No such certificate (unknown serial number)",
  },
  CERTIFICATE_NOT_VALID: {
    zh: "该凭证已不再有效：{reason}",
    en: "The certificate is no longer valid: {reason}",
  },
  COLLECTION_SLIP_REQUIRED: {
    zh: "领取补办的新卡须出示领卡凭证（输入凭证号或扫描凭证二维码）；凭证遗失的，请勾选“领卡凭证遗失”，核验身份证后领取",
    en: 'Collecting a replacement needs its collection slip (its number or its scanned QR code); if the slip is lost, tick "slip lost" and check the ID card',
  },
  COLLECTION_SLIP_MISMATCH: {
    zh: "所出示的领卡凭证不是这张新卡的：{reason}",
    en: "The collection slip presented is not this card's: {reason}",
  },
  INVALID_CARD_NUMBER: { zh: "社会保障卡卡号无效：{cardNumber}", en: "Invalid card number: {cardNumber}" },
  CARD_ACTION_NOT_ALLOWED: {
    zh: "当前卡状态（{state}）不能办理“{action}”，可办理：{allowedText}",
    en: "A card in state {state} does not allow {action}; allowed: {allowedText}",
  },
  CARD_ALREADY_HELD: {
    zh: "该人员在本省已有一张有效社会保障卡（卡号 {cardNumber}），一人一省只能持有一张卡",
    en: "This person already holds a card in this province ({cardNumber}): one card per person per province",
  },
  PAYMENT_ORDER_NOT_FOUND: { zh: "未找到该缴费订单", en: "No such payment order" },
  PAYMENT_NOTIFICATION_REFUSED: {
    zh: "银行缴费通知被拒绝：{reason}",
    en: "The bank's payment notification is refused: {reason}",
  },
  IVR_CALL_NOT_FOUND: { zh: "没有该通话（或不是本线路的通话）", en: "No such call on this line" },
  PAYMENT_REFUND_REFUSED: {
    zh: "银行拒绝退款，订单保持待退款状态，将重试",
    en: "The bank refused the refund: the order stays due for a refund and is retried",
  },
  ID_CARD_INVALID: {
    zh: "无法使用此居民身份证登录：{reason}",
    en: "This resident ID card cannot sign in: {reason}",
  },
  HOLDER_ID_MISMATCH: {
    zh: "出示的身份证件与持卡人不符",
    en: "The ID presented does not match the card holder",
  },
  NOT_PARTNER_BANK: {
    zh: "只有该卡的合作银行（{bankCode}）柜员可以办理金融功能业务",
    en: "Only a clerk of the card's partner bank ({bankCode}) may do this",
  },
  NO_PARTNER_BANK: {
    zh: "该卡没有合作银行，不能开通金融功能",
    en: "The card has no partner bank, so it has no financial function",
  },
  FINANCIAL_ALREADY_ACTIVE: { zh: "该卡金融功能已开通", en: "The financial function is already active" },
  RENEWAL_NOT_OPEN: {
    zh: "尚未到换卡期：有效期至 {validUntil}，可于 {opensOn} 起申请",
    en: "Renewal is not open yet: the card is valid until {validUntil}; apply from {opensOn}",
  },
  INSTITUTION_NOT_FOUND: { zh: "未找到该定点医药机构", en: "No such designated institution" },
  INSTITUTION_FORBIDDEN: {
    zh: "您的账号不是该定点机构的操作员，不能为其结算、退费或对账",
    en: "Your account is not an operator of this institution: it cannot settle, refund or reconcile for it",
  },
  INSTITUTION_NOT_DESIGNATED: {
    zh: "非医保定点机构或协议已过期，不能进行医保结算（详见原因）",
    en: "Not a designated institution, or its agreement has lapsed: it cannot settle (see the reason)",
  },
  CALENDAR_DAY_NOT_FOUND: {
    zh: "本地区日历中没有 {date} 这一天的设置（上级地区的设置须在上级地区修改）",
    en: "The area's own calendar has no entry for {date} (an inherited one is changed where it is set)",
  },
  CATALOGUE_NOT_IN_FORCE: {
    zh: "当日没有生效的医保药品目录",
    en: "No drug catalogue is in force on that day",
  },
  CATALOGUE_INVALID: {
    zh: "目录文件有错误，未导入任何条目（见逐行报告）",
    en: "The catalogue file has errors; nothing was imported (see the per-row report)",
  },
  ITEM_NOT_IN_CATALOGUE: {
    zh: "第 {line} 项（编码 {code}）不在医保目录内，请核对编码",
    en: "Item {line} (code {code}) is not in the catalogue: check its code",
  },
  INSUFFICIENT_BALANCE: {
    zh: "个人账户余额不足，持卡人未同意自付差额",
    en: "The personal account balance is too low and the holder declined to self-pay the rest",
  },
  MEDICAL_FUNCTION_SUSPENDED: {
    zh: "欠费停保：医保功能已暂停，补缴后即恢复",
    en: "The medical function is suspended for arrears; it is back as soon as they are paid",
  },
  INSURANCE_CHECK_FAILED: {
    zh: "参保核验未通过，不能结算：{diagnostic}",
    en: "The insurance check failed; the card cannot settle: {diagnostic}",
  },
  IDEMPOTENCY_KEY_REUSED: {
    zh: "该请求编号已用于另一笔不同的结算",
    en: "This idempotency key was used for a different settlement",
  },
  SETTLEMENT_NOT_FOUND: { zh: "未找到该笔结算", en: "No such settlement" },
  REFUND_NOT_ALLOWED: {
    zh: "不能退费（详见原因：非本机构、超过退费期限或数量有误）",
    en: "The refund is not allowed (see the reason: another institution, past the window, or the quantity)",
  },
  CONTRIBUTION_ALREADY_PAID: { zh: "该月医保费已缴纳", en: "This month's contribution is already paid" },
  PASSWORD_REQUIRED: {
    zh: "本地区医保结算须输入社保卡密码",
    en: "This area requires the card password for a settlement",
  },
  CONSENT_REQUIRED: {
    zh: "换发新卡须经持卡人本人同意",
    en: "A new card is issued only with the holder's consent",
  },
  PRIVACY_CONSENT_REQUIRED: {
    zh: "申领电子社保卡须同意现行版本的隐私政策",
    en: "Signing up for the e-card needs agreement to the current privacy text",
  },
  BIOMETRIC_CONSENT_REQUIRED: {
    zh: "保存人脸图像须另行取得本人（或监护人）对现行版本生物识别信息告知书的同意",
    en: "A face image is kept only with the separate consent (of the person or their guardian) to the current biometric text",
  },
  REPLACEMENT_PENDING: {
    zh: "该卡已有一张在办理中的新卡（卡号 {cardNumber}）",
    en: "A new card for this card is already under way ({cardNumber})",
  },
  BANK_TASK_NOT_FOUND: { zh: "未找到该银行任务", en: "No such bank task" },
  BATCH_NOT_FOUND: { zh: "未找到制卡批次 {batchId}", en: "No production batch {batchId}" },
  CSV_INVALID: { zh: "CSV 文件格式不正确：{reason}", en: "The CSV file is not valid: {reason}" },
  AREA_NOT_ISSUING: {
    zh: "{code} 尚无部里分配的发行机构标识，不能制卡：请先完成发卡地区申请和审批",
    en: "{code} has no issuer identification number allocated by the ministry and cannot produce cards: apply and be approved first",
  },
  NOTHING_TO_PRODUCE: {
    zh: "该地区没有待制卡的申请",
    en: "There are no applications waiting for production in this area",
  },
  GUARDIAN_REQUIRED: {
    zh: "申领人未满 {age} 周岁，须由监护人代为申领：请登记监护人的姓名、身份证号码和关系",
    en: "The applicant is under {age}: a guardian applies for them; give the guardian's name, ID number and relation",
  },
  PHOTO_REQUIRED: {
    zh: "申请社会保障卡须提供本人近期照片",
    en: "A card application needs a recent photo of the holder",
  },
  PASSWORD_WRONG: {
    zh: "社保卡密码错误，还可尝试 {attemptsLeft} 次",
    en: "Wrong social security password; {attemptsLeft} attempts left",
  },
  PASSWORD_LOCKED: {
    zh: "密码已锁定，请持本人有效身份证件到社会保障卡服务网点解锁或重置",
    en: "The password is locked: unlock or reset it at a service outlet with your ID",
  },
  PASSWORD_CHANGE_REQUIRED: {
    zh: "请先修改初始密码，修改前只能办理查询业务",
    en: "Change the initial password first; until then only queries are allowed",
  },
  PASSWORD_NOT_LOCKED: {
    zh: "该卡密码未锁定，无需解锁（忘记密码请办理密码重置）",
    en: "The card's password is not locked; nothing to unlock (a forgotten password is reset instead)",
  },
  PASSWORD_NOT_SET: {
    zh: "该卡尚未发放，没有社保卡密码",
    en: "The card has not been issued and has no password yet",
  },
  WEAK_PASSWORD: { zh: "新密码过于简单：{reason}", en: "The new password is too weak: {reason}" },
  TOO_MANY_ATTEMPTS: {
    zh: "密码错误次数过多，请于 {retryAt} 后再试",
    en: "Too many wrong passwords from here; try again after {retryAt}",
  },
  PIN_BLOCK_REQUIRED: {
    zh: "终端必须以加密的 PIN 块（ISO 9564 格式 4 或 1）发送密码",
    en: "Terminals must send the password as an enciphered PIN block (ISO 9564 format 4 or 1)",
  },
  INVALID_PIN_BLOCK: {
    zh: "PIN 块无法解密或格式不正确",
    en: "The PIN block cannot be deciphered or is malformed",
  },
  CARD_NOT_USABLE: {
    zh: "该卡当前状态（{state}）不能使用",
    en: "The card cannot be used in its state ({state})",
  },
  AGENT_NOT_ALLOWED: {
    zh: "本地区政策不允许代办密码解锁或重置",
    en: "This area's policy does not allow an agent to unlock or reset the password",
  },
  EMPLOYER_NOT_FOUND: { zh: "未找到该用人单位", en: "No such employer" },
  EMPLOYER_EXISTS: {
    zh: "该统一社会信用代码已登记（{creditCode}）",
    en: "An employer with this unified social credit code is registered ({creditCode})",
  },
  INVALID_CREDIT_CODE: {
    zh: "统一社会信用代码无效（{reason}）",
    en: "Invalid unified social credit code ({reason})",
  },
  ALREADY_ENROLLED: {
    zh: "此人已在该县区参加该险种（{scheme}）",
    en: "The person is already enrolled in this scheme in this county ({scheme})",
  },
  ENROLMENT_NOT_FOUND: { zh: "未找到该参保记录", en: "No such enrolment" },
  ENROLMENT_STATUS_CONFLICT: {
    zh: "参保状态不能从{from}变为{to}",
    en: "The enrolment cannot go from {from} to {to}",
  },
  MERGE_CONFLICT: {
    zh: "合并后该人员在本统筹区将重复参保（{families}）：请选择要暂停的参保记录后再合并",
    en: "After the merge the person would be insured twice in this coordination area ({families}); choose the enrolments to suspend with the merge",
  },
  NOTHING_TO_MERGE: {
    zh: "此人在该统筹区只有一个个人编号，无需合并",
    en: "The person has only one personal number in this coordination area: nothing to merge",
  },
  PERSONAL_NUMBER_NOT_FOUND: { zh: "未找到该个人编号", en: "No such personal number" },
  ARREARS_NOT_FOUND: { zh: "未找到该欠费记录", en: "No such arrears record" },
  HOLDER_NO_CARD: {
    zh: "您没有可用于登录的社保卡（卡已注销、正式挂失或尚未领取）",
    en: "You have no card to sign in with (cancelled, formally lost or not yet collected)",
  },
  ECARD_NOT_FOUND: { zh: "未找到该电子社保卡", en: "No such electronic card" },
  ECARD_CHANNEL_NOT_FOUND: { zh: "未找到该电子社保卡渠道", en: "No such e-card channel" },
  CHANNEL_SUSPENDED: {
    zh: "该渠道已暂停或退出，不能办理电子社保卡业务",
    en: "This channel is suspended or has exited and cannot serve e-card requests",
  },
  FACE_VERIFICATION_FAILED: {
    zh: "人脸核验未通过（{reason}）：光线不足请到光线均匀处重试；人脸未完整入框请正对镜头；渠道实名信息与本人不一致请使用本人账号；社保卡照片过旧请到网点更换新照片补换卡，或到柜面核验身份",
    en: "Face verification failed ({reason}): too dark or bright: retry in even light; face not fully in the frame: face the camera; the app's real-name identity is someone else: use your own account; the card photo is outdated: replace the card with a new photo, or verify at a counter",
  },
  ECARD_UNUSABLE: { zh: "电子社保卡当前不可用（{reason}）", en: "The e-card cannot be used now ({reason})" },
  ECARD_CODE_REFUSED: { zh: "二维码无效（{reason}）", en: "The code is refused ({reason})" },
  ECARD_PASSWORD_WRONG: {
    zh: "电子社保卡密码错误，还可尝试 {attemptsLeft} 次",
    en: "Wrong e-card password; {attemptsLeft} tries left",
  },
  ECARD_PASSWORD_LOCKED: {
    zh: "电子社保卡密码已锁定，请通过人脸核验重置密码",
    en: "The e-card password is locked; reset it with face verification",
  },
  ECARD_PASSWORD_NOT_SET: { zh: "尚未设置电子社保卡密码", en: "No e-card password has been set yet" },
  COUNTER_TICKET_INVALID: {
    zh: "柜面核验码无效、已使用或已过期",
    en: "The counter ticket is unknown, used or expired",
  },
  FAMILY_SLOTS_FULL: {
    zh: "亲情服务名额已满（最多 {slots} 人）",
    en: "The family service is full ({slots} relatives at most)",
  },
  CONCURRENT_MODIFICATION: {
    zh: "数据已被他人修改，请刷新后重试",
    en: "Someone else changed this record; reload and try again",
  },
  JOB_ALREADY_RAN: {
    zh: "定时任务 {job} 本期（{period}）已运行或正在运行，不再重复执行",
    en: "The job {job} has already run (or is running) for its period {period}; it is not run twice",
  },
  AUDIT_CHAIN_BROKEN: {
    zh: "审计日志校验失败：第 {seq} 条记录 {reason}",
    en: "Audit log verification failed at record {seq}: {reason}",
  },
  DATABASE_UNAVAILABLE: {
    zh: "数据库暂时不可用，请稍后重试",
    en: "The database is unavailable; try again shortly",
  },
  INTERNAL_ERROR: { zh: "系统内部错误，请稍后重试", en: "Internal error; please try again later" },
} as const satisfies Record<ErrorCode, Record<Language, string>>;

/** Renders the message of a code in a language, filling `{name}` placeholders from details. */
export function messageFor(code: ErrorCode, lang: Language, details?: ErrorDetails): string {
  const template: string = MESSAGES[code][lang];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = details?.[name];
    if (value === undefined) return "";
    if (value === null) return lang === "zh" ? "无" : "none";
    // A finding worded in both languages by its module (the online check's cause and remedy).
    if (typeof value === "object" && value && lang in value) {
      const worded = (value as Record<string, unknown>)[lang];
      if (typeof worded === "string") return worded;
      const { cause, remedy } = worded as { cause?: string; remedy?: string };
      return [cause, remedy].filter(Boolean).join(lang === "zh" ? "。" : ". ");
    }
    if ((name === "reason" || name === "reasonText") && typeof value === "string")
      return REASONS[value]?.[lang] ?? value;
    // A service's finding: its rules worded in Chinese (the schema's findings come worded already).
    if (code === "VALIDATION_FAILED" && name === "summary" && lang === "zh" && !details?.issues)
      return summaryInChinese(String(value), (r) => REASONS[r]?.zh ?? r);
    return String(value);
  });
}
