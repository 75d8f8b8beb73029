/**
 * The audit log's actions in words, for the auditor's page. A card's transitions (`card.<action>`)
 * are worded from the card actions' codes.
 */
export const AUDIT_ACTIONS: Record<string, { zh: string; en: string }> = {
  "api_key.create": { zh: "创建接口密钥", en: "API key created" },
  "api_key.revoke": { zh: "吊销接口密钥", en: "API key revoked" },
  "area.create": { zh: "登记发卡地区", en: "area registered" },
  "area.policy.add": { zh: "发布地区政策版本", en: "policy version published" },
  "arrears.computed": { zh: "欠费计算", en: "arrears computed" },
  "arrears.end": { zh: "欠费结清", en: "arrears ended" },
  "arrears.record": { zh: "登记欠费停保", en: "arrears recorded" },
  "audit.append_only_restored": { zh: "恢复审计日志只增保护", en: "append-only protection restored" },
  "benefit.batch_create": { zh: "提交待遇发放批次", en: "benefit batch submitted" },
  "benefit.list": { zh: "列入待遇发放", en: "benefit listed" },
  "benefit.send": { zh: "待遇送银行代发", en: "benefit sent to the bank" },
  "benefit.unpayable": { zh: "待遇无法发放到卡", en: "benefit cannot be paid to the card" },
  "benefit.paid": { zh: "待遇已到账", en: "benefit paid" },
  "benefit.failed": { zh: "银行回盘未到账", en: "benefit not paid by the bank" },
  "calendar.set": { zh: "设置工作日历", en: "calendar day set" },
  "card.personalise": { zh: "芯片个人化", en: "chip personalised" },
  "card.tac.invalid": { zh: "交易验证码（TAC）无效", en: "invalid purchase TAC" },
  "catalogue.import": { zh: "导入医保目录", en: "catalogue imported" },
  "contribution.pay": { zh: "缴费", en: "contribution paid" },
  "ecard.authorise_while_lost": { zh: "挂失期间授权电子社保卡", en: "e-card authorised while lost" },
  "ecard.biometric.withdraw": { zh: "撤回人脸信息授权", en: "biometric consent withdrawn" },
  "ecard.channel.register": { zh: "登记电子社保卡渠道", en: "e-card channel registered" },
  "ecard.channel.state": { zh: "变更渠道状态", en: "channel state changed" },
  "ecard.code.payment": { zh: "电子社保卡付款码支付", en: "e-card payment code used" },
  "ecard.counter_ticket": { zh: "柜面签发电子社保卡领取凭证", en: "counter sign-up ticket" },
  "ecard.family.add": { zh: "添加亲情账户", en: "family member added" },
  "ecard.family.remove": { zh: "移除亲情账户", en: "family member removed" },
  "ecard.password.wrong": { zh: "电子社保卡密码错误", en: "wrong e-card password" },
  "ecard.signup": { zh: "申领电子社保卡", en: "e-card signed up" },
  "employer.employee.register": { zh: "职工参保登记", en: "employee registered" },
  "employer.hire.declare": { zh: "申报用工", en: "hire declared" },
  "employer.register": { zh: "单位登记", en: "employer registered" },
  "enrolment.create": { zh: "参保登记", en: "enrolment" },
  "enrolment.status": { zh: "变更参保状态", en: "enrolment status changed" },
  "enrolment.suspend": { zh: "暂停参保", en: "enrolment suspended" },
  "holder.login": { zh: "持卡人登录", en: "holder signed in" },
  "certificate.issue": { zh: "开具证明", en: "certificate issued" },
  "certificate.print": { zh: "打印证明", en: "certificate printed" },
  "certificate.download": { zh: "下载证明", en: "certificate downloaded" },
  "certificate.revoke": { zh: "作废证明", en: "certificate revoked" },
  "certificate.supersede": { zh: "证明已使用或被取代", en: "certificate used or superseded" },
  "institution.agreement": { zh: "变更定点协议", en: "agreement changed" },
  "institution.register": { zh: "登记定点医药机构", en: "institution registered" },
  "institution.terminal": { zh: "机构绑定终端", en: "terminal assigned" },
  "medical.refund": { zh: "医保退费", en: "refund" },
  "medical.settle": { zh: "医保结算", en: "settlement" },
  "medical.transfer.batch": { zh: "个人账户划入", en: "account credits" },
  "outlet.create": { zh: "登记服务网点", en: "outlet registered" },
  "password.change": { zh: "修改社保卡密码", en: "card password changed" },
  "password.locked": { zh: "社保卡密码锁定", en: "card password locked" },
  "password.unlock": { zh: "社保卡密码解锁", en: "card password unlocked" },
  "password.reset": { zh: "社保卡密码重置", en: "card password reset" },
  "person.photo.set": { zh: "采集照片", en: "photo stored" },
  "person.register": { zh: "人员登记", en: "person registered" },
  "person.reveal_id_number": { zh: "查看完整身份证号码", en: "full ID number shown" },
  "person.update": { zh: "修改人员信息", en: "person updated" },
  "personal_number.merge": { zh: "合并个人编号", en: "personal numbers merged" },
  "staff.create": { zh: "创建工作人员账号", en: "staff account created" },
  "staff.disable": { zh: "停用工作人员账号", en: "staff account disabled" },
  "staff.login": { zh: "工作人员登录", en: "staff signed in" },
  "staff.login.failed": { zh: "工作人员登录密码错误", en: "staff sign-in failed" },
  "staff.login.locked": { zh: "工作人员账号锁定", en: "staff account locked" },
  "staff.unlock": { zh: "解锁工作人员账号", en: "staff account unlocked" },
  "staff.password.reset": { zh: "重置工作人员密码", en: "staff password reset" },
  "staff.grants": { zh: "变更工作人员权限", en: "staff grants changed" },
  "calendar.remove": { zh: "删除工作日历设置", en: "calendar day removed" },
  "staff.logout": { zh: "工作人员退出", en: "staff signed out" },
  "staff.password.change": { zh: "工作人员修改密码", en: "staff password changed" },
  "terminal.psam.issue": { zh: "发放 PSAM 卡", en: "PSAM issued" },
  "terminal.register": { zh: "登记终端", en: "terminal registered" },
};

/** An action in words, in a language; the code itself when it has none. */
export function auditActionText(action: string, lang: "zh" | "en", code: (c: string) => string): string {
  const known = AUDIT_ACTIONS[action]?.[lang];
  if (known) return known;
  if (action.startsWith("card.")) {
    const worded = code(action.slice(5));
    return `${lang === "zh" ? "社保卡：" : "card: "}${worded}`;
  }
  return action;
}
