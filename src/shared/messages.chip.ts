/** The messages of the encryption machine, the terminals and the card readers, and of benefits paid to the card (spread into MESSAGES). */
export const CHIP_MESSAGES = {
  BENEFIT_BATCH_NOT_FOUND: { zh: "未找到该待遇发放批次", en: "No such benefit payment batch" },
  BENEFIT_FILE_NOT_FOUND: { zh: "未找到该银行代发文件", en: "No such bank payment file" },
  AREA_APPLICATION_NOT_FOUND: { zh: "未找到该发卡申请", en: "No such application to issue cards" },
  AREA_APPLICATION_EXISTS: {
    zh: "地区 {areaCode} 已有发卡申请：请修改后重新提交原申请",
    en: "Area {areaCode} has an application already: mend and file that one",
  },
  AREA_APPLICATION_STATE: {
    zh: "申请当前状态（{state}）不能办理此操作（{action}）",
    en: "The application is {state}: {action} is not open now",
  },
  AREA_APPLICATION_INCOMPLETE: {
    zh: "申请材料不全，不能提交。缺少材料：{materials}；未满足或缺少证明的条件：{conditions}",
    en: "The application is incomplete. Missing materials: {materials}; conditions not met or without evidence: {conditions}",
  },
  AREA_ALREADY_ISSUING: {
    zh: "地区 {areaCode} 已有发卡机构标识号，已可发卡",
    en: "Area {areaCode} has its issuer identification number and issues cards already",
  },
  MATERIAL_INVALID: {
    zh: "材料 {kind} 不符合要求（{problem}）：须为规定的文件类型，非空、不超过 10 MB，且内容与类型一致",
    en: "Material {kind} refused ({problem}): it must be an allowed type, not empty, at most 10 MB, and its content what its type says",
  },
  TERMINAL_NOT_FOUND: { zh: "未找到该终端", en: "No such terminal" },
  TERMINAL_EXISTS: {
    zh: "终端 {terminalNo} 已登记",
    en: "Terminal {terminalNo} is registered already",
  },
  HSM_UNAVAILABLE: {
    zh: "加密机未就绪：尚未完成本地主密钥（LMK）仪式",
    en: "The encryption machine is not ready: no LMK ceremony has been run",
  },
  REMOTE_AUTH_NOT_FOUND: {
    zh: "没有进行中的远程认证，或已过期、已完成",
    en: "No remote authentication under way (unknown, expired or already completed)",
  },
  KEY_NOT_FOUND: {
    zh: "加密机中没有所需密钥（{label}）：请先完成密钥仪式和分散",
    en: "The encryption machine holds no key {label}: run the key ceremony and derivation first",
  },
  PSAM_NOT_FOUND: { zh: "未找到 PSAM {serial}", en: "No PSAM {serial}" },
  PSAM_NOT_AVAILABLE: {
    zh: "PSAM {serial} 不在可交接的位置（已分发、已安装或不属于本地区）",
    en: "PSAM {serial} is not where this hand-over needs it (already handed over, installed, or another area's)",
  },
  PSAM_NONE_IN_STOCK: {
    zh: "地区 {areaCode} 没有库存 PSAM：PSAM 由人力资源社会保障部统一分发，请向部级申领",
    en: "Area {areaCode} holds no PSAM in stock: PSAMs are distributed by the ministry; ask it for some",
  },
  KEY_CHECK_FAILED: {
    zh: "密钥校验值不符（{label}）：密钥在传输中被改变，或使用了其他传输密钥，已拒绝导入",
    en: "Key check value mismatch ({label}): the key changed on the way or another transport key was used; not imported",
  },
  KEY_EXISTS: {
    zh: "加密机中已有密钥 {label}：如需新密钥，请使用新的版本号",
    en: "The encryption machine holds {label} already: use a new version for a new key",
  },
  KEY_CEREMONY_NOT_FOUND: { zh: "未找到该密钥仪式", en: "No such key ceremony" },
  KEY_CEREMONY_OPEN: {
    zh: "密钥 {label} 的仪式已在进行中：请在该仪式中录入分量，或先取消它",
    en: "A ceremony for {label} is open already: enter the components there, or cancel it first",
  },
  KEY_CEREMONY_CLOSED: {
    zh: "该密钥仪式已结束（已完成或已取消），不能再录入分量或取消",
    en: "The key ceremony is over (completed or cancelled): no more components, no cancelling",
  },
  KEY_CUSTODIAN_TWICE: {
    zh: "双人控制：您已录入过本仪式的一个分量，下一个分量须由另一名保管员录入",
    en: "Dual control: you entered a component of this ceremony already; the next must come from another custodian",
  },
  KEY_COMPONENT_INVALID: {
    zh: "密钥分量无效：{reason}",
    en: "Invalid key component: {reason}",
  },
  HUB_SIGNATURE_INVALID: {
    zh: "全国平台拒绝了请求：省级平台的签名无效（{reason}）",
    en: "The national hub refused the request: the province's signature is not valid ({reason})",
  },
  HUB_UNAVAILABLE: {
    zh: "暂时无法连接全国社会保障卡平台，跨省业务请稍后再试；本省业务不受影响",
    en: "The national card platform cannot be reached; try cross-province services later (this province's services go on)",
  },
  PROVINCE_UNAVAILABLE: {
    zh: "暂时无法连接该卡的发卡省份（{provinceName}），跨省业务请稍后再试",
    en: "The card's home province ({provinceName}) cannot be reached; try the cross-province service later",
  },
  NATIONAL_CARD_HELD: {
    zh: "该人员已在{provinceName}持有有效社会保障卡，全国一人一卡：请先在{provinceName}注销该卡",
    en: "This person holds an active card issued in {provinceName}: one card per person nationwide; cancel that card there first",
  },
  NATIONAL_SLOT_RESERVED: {
    zh: "{provinceName}正在为该人员办理社会保障卡，请稍后再试",
    en: "{provinceName} is issuing a card to this person right now; try again later",
  },
  NATIONAL_CARD_UNKNOWN: {
    zh: "全国社会保障卡平台没有该卡的记录",
    en: "The national card platform has no record of this card",
  },
  KEY_VERSION_RETIRED: {
    zh: "该卡使用的密钥版本已停用（{label}），请换卡",
    en: "The key version this card uses is retired ({label}); the card must be replaced",
  },
  READER_SLOT_BUSY: {
    zh: "读卡器正在处理这张卡的上一个操作，请稍后再试",
    en: "The reader is still working on this card's previous command; try again shortly",
  },
  READER_SLOT_NOT_FOUND: {
    zh: "读卡器中没有这张卡（已取出或超时）",
    en: "No card in this reader slot (ejected or timed out)",
  },
  READER_REFUSED: { zh: "读卡器拒绝了这张卡：{reason}", en: "The reader refused the card: {reason}" },
  CARD_AUTHENTICATION_FAILED: { zh: "卡片认证失败", en: "Card authentication failed" },
  CARD_BLACKLISTED: {
    zh: "该卡在黑名单上（{state}），不能使用",
    en: "The card is on the blacklist ({state}) and cannot be used",
  },
} as const;
