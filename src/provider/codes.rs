//! The provider's status codes with their meanings, in English and in the
//! provider's own Chinese words (provider-api.zh.txt, "附：常见状态对照表" and
//! the `QueryBlance` reply tables). Pure lookups.

use serde::Serialize;
use std::fmt;

/// A status code from a submit reply or a status report (section 6 of the
/// provider document). `0` means accepted (submit) or delivered (report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct StatusCode(pub i64);

/// A negative `QueryBlance` reply (section 3): why the balance was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BalanceCode(pub i64);

/// What a code means, in English and in the provider's Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meaning {
    /// English rendering.
    pub en: &'static str,
    /// The provider's own words.
    pub zh: &'static str,
    /// The document marks the code "(同步相应)": it comes back in the
    /// synchronous submit reply.
    pub sync: bool,
}

const fn m(en: &'static str, zh: &'static str, sync: bool) -> Meaning {
    Meaning { en, zh, sync }
}

/// Section 6 of provider-api.md / "附：常见状态对照表" of provider-api.zh.txt,
/// in the original's order. The Chinese text is copied from the original.
#[rustfmt::skip]
const STATUS_TABLE: &[(i64, Meaning)] = &[
    (0,     m("accepted (submit reply) / delivered to the destination (status report)",
              "消息被发送到目的地（同步相应接收到0表示受理成功，返回状态推送0表示下发成功）", true)),
    (-1000, m("account does not exist", "用户账号不存在", true)),
    (-1003, m("IP address not allowed", "IP不合法", true)),
    (-1004, m("account cancelled", "用户账号已注销", true)),
    (-1005, m("account disabled", "用户账号已禁用", true)),
    (-1006, m("insufficient balance (0 messages configured)", "账户余额不足（配置条数0）", true)),
    (-1007, m("too many messages in one batch (limit 200)", "一次批量发送消息条数太多（限制200条）", true)),
    (-1008, m("malformed submission, invalid sending method", "提交结构不合法，无效的发送方式", true)),
    (-1009, m("content is empty", "消息内容为空", false)),
    (-1010, m("invalid destination number", "发送目的地手机号码无效", false)),
    (-1011, m("insufficient balance", "余额不足", false)),
    (-1012, m("blacklisted", "黑名单", false)),
    (-1013, m("content contains filtered words", "内容包含过滤字", false)),
    (-1014, m("invalid extension code", "无效的扩展码", true)),
    (-1015, m("signature rejected", "签名不通过", false)),
    (-1016, m("marketing template rejected", "营销模板审核不通过", false)),
    (-1017, m("recipient's daily limit reached", "单用户接收日上限", false)),
    (-1018, m("no channel configured", "找不到对应的通道（没有配置通道）", false)),
    (-1019, m("outside the allowed sending hours", "不在允许的下发时间段", false)),
    (-1020, m("channel shut down", "通道关停", false)),
    (-1021, m("industry template rejected", "行业模板审核不通过", false)),
    (-1022, m("no gateway message queue found", "未找到对应的网关消息队列", false)),
    (-1025, m("no signature", "无签名", false)),
    (-1026, m("signature does not exist", "签名不存在", false)),
    (-1027, m("signature exists but has no extension code", "签名存在，但没有对应的扩展码", false)),
    (-1050, m("failed fuzzy review", "模糊审核不通过", false)),
    (-1051, m("failed exact review", "精确审核不通过", false)),
    (-2001, m("wrong encryption signature", "加密签名不正确", false)),
    (-1099, m("system error", "系统异常", true)),
    (9992,  m("message validity period expired", "消息有效时间已过期", false)),
    (9993,  m("message was deleted", "消息已被删除", false)),
    (9994,  m("message cannot be delivered (user has no account)", "消息无法递交(用户未开户)", false)),
    (9995,  m("message is in an intermediate state", "消息处于中间状态", false)),
    (9996,  m("message invalid", "消息无效", false)),
    (9997,  m("message refused (service barred)", "消息被拒绝(短消息业务被禁止)", false)),
    (9998,  m("route lookup failed", "查找路由失败", false)),
    (-9999, m("channel submit-rate limit", "提交通道速度上限", false)),
    (-9990, m("carrier returned no status after submission", "提交运营商后，运营商没有返回状态", false)),
    (-111,  m("submitting to the carrier gateway too fast", "提交运营商网关速度太快", false)),
];

/// Section 3 / "查询余额QueryBlance". The original writes -1, -2 and -3 with an
/// en dash ("–1"); the reply parser accepts both dashes.
#[rustfmt::skip]
const BALANCE_TABLE: &[(i64, Meaning)] = &[
    (-1,  m("wrong account or password", "账号或密码错误", true)),
    (-2,  m("the balance may be queried once a minute at most", "1分钟之内只能查询一次余额", true)),
    (-3,  m("the account is not enabled", "该账号未开通", true)),
    (-99, m("insufficient balance", "余额不足", true)),
];

/// What a rejection is about, which decides whether the requests after it
/// are worth sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "reason")]
#[non_exhaustive]
pub enum RejectionScope {
    /// The whole account: every later request would be refused the same
    /// way until the account is put right, so none is sent.
    Account(AccountProblem),
    /// These numbers, this content or this request (and any code not in
    /// the provider's table): later requests carry other numbers and may be
    /// accepted.
    Request,
}

/// Why a rejection applies to the whole account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountProblem {
    /// -1011 余额不足 (insufficient balance); -1006 账户余额不足（配置条数0）
    /// (insufficient balance, 0 messages configured).
    Balance,
    /// -1000 用户账号不存在 (does not exist), -1004 用户账号已注销
    /// (cancelled), -1005 用户账号已禁用 (disabled).
    Account,
    /// -1003 IP不合法: requests from this address are refused.
    IpNotAllowed,
    /// -1018 找不到对应的通道（没有配置通道） (no channel configured); -1020
    /// 通道关停 (channel shut down).
    Channel,
}

fn lookup(table: &[(i64, Meaning)], code: i64) -> Option<Meaning> {
    table.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

impl StatusCode {
    /// Accepted (submit reply) or delivered (status report).
    pub const OK: StatusCode = StatusCode(0);

    /// The meaning from the provider's table, `None` for a code not in it.
    pub fn meaning(self) -> Option<Meaning> {
        lookup(STATUS_TABLE, self.0)
    }

    /// Whether this is `0`.
    pub fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// Every code of the table, in the document's order.
    pub fn all() -> impl Iterator<Item = StatusCode> {
        STATUS_TABLE.iter().map(|(c, _)| StatusCode(*c))
    }

    /// What a rejection with this code is about; `None` for `0`, which is
    /// no rejection. The account-wide codes are those of balance (-1011,
    /// -1006), account (-1000, -1004, -1005), address (-1003) and channel
    /// (-1018, -1020), read in the provider's Chinese table; every other
    /// code, known or not, is about the request.
    pub fn rejection_scope(self) -> Option<RejectionScope> {
        use AccountProblem as P;
        let problem = match self.0 {
            0 => return None,
            -1011 | -1006 => P::Balance,
            -1000 | -1004 | -1005 => P::Account,
            -1003 => P::IpNotAllowed,
            -1018 | -1020 => P::Channel,
            _ => return Some(RejectionScope::Request),
        };
        Some(RejectionScope::Account(problem))
    }

    /// "-1007: too many messages in one batch (limit 200) / 一次批量…", or
    /// "-4242: unknown code (not in the provider's table)".
    pub fn describe(self) -> String {
        describe(self.0, self.meaning())
    }
}

impl BalanceCode {
    /// The meaning from the provider's table, `None` for a code not in it.
    pub fn meaning(self) -> Option<Meaning> {
        lookup(BALANCE_TABLE, self.0)
    }

    /// Every code of the table.
    pub fn all() -> impl Iterator<Item = BalanceCode> {
        BALANCE_TABLE.iter().map(|(c, _)| BalanceCode(*c))
    }

    /// Like [`StatusCode::describe`].
    pub fn describe(self) -> String {
        describe(self.0, self.meaning())
    }
}

fn describe(code: i64, meaning: Option<Meaning>) -> String {
    match meaning {
        Some(m) => format!("{code}: {} ({})", m.en, m.zh),
        None => format!("{code}: unknown code (not in the provider's table)"),
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for BalanceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the document lists, copied by hand from provider-api.zh.txt.
    const DOCUMENTED: &[i64] = &[
        0, -1000, -1003, -1004, -1005, -1006, -1007, -1008, -1009, -1010, -1011, -1012, -1013,
        -1014, -1015, -1016, -1017, -1018, -1019, -1020, -1021, -1022, -1025, -1026, -1027, -1050,
        -1051, -2001, -1099, 9992, 9993, 9994, 9995, 9996, 9997, 9998, -9999, -9990, -111,
    ];

    #[test]
    fn every_documented_code_has_both_meanings() {
        for &c in DOCUMENTED {
            let m = StatusCode(c)
                .meaning()
                .unwrap_or_else(|| panic!("{c} missing"));
            assert!(!m.en.is_empty() && !m.zh.is_empty(), "{c}");
            assert!(!m.zh.is_ascii(), "{c}: zh text is not Chinese");
        }
        assert_eq!(StatusCode::all().count(), DOCUMENTED.len());
    }

    #[test]
    fn codes_are_unique() {
        let mut seen: Vec<i64> = StatusCode::all().map(|c| c.0).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), STATUS_TABLE.len());
    }

    #[test]
    fn sync_marks_follow_the_original() {
        let sync: Vec<i64> = STATUS_TABLE
            .iter()
            .filter(|(_, m)| m.sync)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            sync,
            [
                0, -1000, -1003, -1004, -1005, -1006, -1007, -1008, -1014, -1099
            ]
        );
    }

    #[test]
    fn account_wide_rejections() {
        use AccountProblem as P;
        let account: Vec<(i64, AccountProblem)> = StatusCode::all()
            .filter_map(|c| match c.rejection_scope() {
                Some(RejectionScope::Account(p)) => Some((c.0, p)),
                _ => None,
            })
            .collect();
        assert_eq!(
            account,
            [
                (-1000, P::Account),
                (-1003, P::IpNotAllowed),
                (-1004, P::Account),
                (-1005, P::Account),
                (-1006, P::Balance),
                (-1011, P::Balance),
                (-1018, P::Channel),
                (-1020, P::Channel),
            ]
        );
        // Their Chinese meanings say so: balance, account, IP, channel.
        for (code, _) in &account {
            let zh = StatusCode(*code).meaning().unwrap().zh;
            assert!(
                ["余额", "账号", "IP", "通道"]
                    .iter()
                    .any(|w| zh.contains(w)),
                "{code}: {zh}"
            );
        }
        assert_eq!(StatusCode::OK.rejection_scope(), None);
        for code in [-1010, -1012, -1013, -1017, -1007, -4242] {
            assert_eq!(
                StatusCode(code).rejection_scope(),
                Some(RejectionScope::Request),
                "{code}"
            );
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            StatusCode(-1007).describe(),
            "-1007: too many messages in one batch (limit 200) (一次批量发送消息条数太多（限制200条）)"
        );
        assert_eq!(
            StatusCode(-4242).describe(),
            "-4242: unknown code (not in the provider's table)"
        );
        assert!(
            StatusCode(-1).meaning().is_none(),
            "-1 is a balance code, not a submit code"
        );
        assert_eq!(
            BalanceCode(-2).meaning().map(|m| m.zh),
            Some("1分钟之内只能查询一次余额")
        );
        assert!(BalanceCode(-1000).meaning().is_none());
        assert_eq!(BalanceCode::all().count(), 4);
    }
}
