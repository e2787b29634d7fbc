use super::*;

fn codes(r: &TemplateReport) -> Vec<Code> {
    r.problems.iter().map(|p| p.code).collect()
}

fn with(param: Option<&str>) -> TemplateOptions {
    TemplateOptions {
        param_max: param.map(str::to_string),
        ..TemplateOptions::default()
    }
}

#[test]
fn variable_syntaxes() {
    for (text, syntax, name) in [
        ("${name}，您好", Syntax::Dollar, "name"),
        ("{name}，您好", Syntax::Brace, "name"),
        ("{1}，您好", Syntax::Brace, "1"),
        ("{{姓名}}，您好", Syntax::DoubleBrace, "姓名"),
    ] {
        let p = parse(text, false);
        assert_eq!(p.variables.len(), 1, "{text}: {p:?}");
        let v = &p.variables[0];
        assert_eq!((v.syntax, v.name.as_str()), (syntax, name), "{text}");
        assert_eq!(v.placement, Placement::Start);
        assert!(p.broken.is_empty(), "{text}: {p:?}");
    }
    // #name# only when asked; 按#号键 is never a variable.
    assert!(parse("#name#，您好", false).variables.is_empty());
    assert_eq!(parse("#name#，您好", false).hash_like, ["#name#"]);
    let p = parse("#name#，您好", true);
    assert_eq!(p.variables[0].syntax, Syntax::Hash);
    let p = parse("请按#号键确认，按*号键返回", true);
    assert!(p.variables.is_empty() && p.hash_like.is_empty(), "{p:?}");
    let p = parse("按1#确认，按2#取消", true);
    assert!(p.variables.is_empty(), "punctuation ends a #name#: {p:?}");
}

#[test]
fn a_variable_at_the_start_or_end_passes() {
    for text in [
        "${name}，您好，您的快递已到，请及时取件。",
        "您好，您的取件码是${code}",
        "  {{name}}您好",
    ] {
        let r = check(text, &with(Some("张三丰")));
        assert_eq!(r.verdict, Verdict::Pass, "{text}: {:?}", r.problems);
    }
    let r = check("您的取件码是${code}。", &with(Some("123456")));
    assert_eq!(codes(&r), [Code::VariableNearEdge]);
    assert_eq!(r.verdict, Verdict::Warn);
    assert_eq!(r.variables[0].placement, Placement::End);
}

#[test]
fn a_variable_in_the_middle_fails_helpfully() {
    let r = check("尊敬的${name}，您的快递已到。", &with(Some("张三丰")));
    assert_eq!(codes(&r), [Code::VariableInMiddle]);
    assert_eq!(r.verdict, Verdict::Fail);
    let m = &r.problems[0].message;
    assert!(m.contains("\"尊敬的\" before it"), "{m}");
    assert!(m.contains("even a short greeting"), "{m}");
    assert!(m.contains("最前"), "{m}");
    // The estimate is still there.
    assert!(r.estimate.is_some());
}

#[test]
fn two_variables_fail() {
    let r = check("${name}您好，您的验证码是${code}", &with(Some("张三")));
    assert_eq!(codes(&r), [Code::TooManyVariables]);
    assert!(r.problems[0].message.contains("${name}, ${code}"));
}

#[test]
fn separators_control_characters_and_empty_text() {
    let r = check("您好|再见", &TemplateOptions::default());
    assert_eq!(codes(&r), [Code::SeparatorInText]);
    assert_eq!(r.verdict, Verdict::Warn);
    let r = check("您好\n再见", &TemplateOptions::default());
    assert_eq!(codes(&r), [Code::ControlCharacter]);
    assert!(r.problems[0].message.contains("U+000A"));
    for empty in ["", "   "] {
        let r = check(empty, &TemplateOptions::default());
        assert_eq!(codes(&r), [Code::EmptyTemplate]);
        assert_eq!(r.estimate, None);
    }
}

#[test]
fn broken_braces_fail() {
    for text in [
        "${name，您好",
        "{name，您好",
        "您好}",
        "{}您好",
        "{ name }您好",
        "${}您好",
    ] {
        let r = check(text, &TemplateOptions::default());
        assert!(
            codes(&r).contains(&Code::BrokenVariable),
            "{text}: {:?}",
            r.problems
        );
        assert_eq!(r.verdict, Verdict::Fail, "{text}");
    }
}

#[test]
fn the_param_value_is_checked() {
    let r = check("${name}您好", &with(Some("张|三")));
    assert_eq!(codes(&r), [Code::ParamSeparator]);
    let r = check("${name}您好", &with(Some("张\t三")));
    assert_eq!(codes(&r), [Code::ParamControlCharacter]);
    let r = check("您好", &with(Some("张三")));
    assert_eq!(codes(&r), [Code::ParamWithoutVariable]);
    let r = check("${name}您好", &with(None));
    assert_eq!(codes(&r), [Code::VariableNotEstimated]);
    assert_eq!(r.verdict, Verdict::Warn);
}

#[test]
fn the_variable_is_read_as_its_longest_value() {
    let without = check("${name}您好", &with(None)).estimate.unwrap();
    let with_name = check("${name}您好", &with(Some("张三丰")))
        .estimate
        .unwrap();
    assert_eq!(without.reading.syllables, 2);
    assert_eq!(with_name.reading.syllables, 5);
}

#[test]
fn verification_codes() {
    let opts = TemplateOptions {
        form: Form::Code,
        ..TemplateOptions::default()
    };
    for ok in ["1234", "042817", "12345"] {
        let r = check(ok, &opts);
        assert_eq!(r.verdict, Verdict::Pass, "{ok}");
        assert_eq!(
            r.estimate.unwrap().reading.syllables,
            ok.len() as u64,
            "digit by digit"
        );
    }
    for bad in ["123", "1234567", "12a4", "１２３４", "${code}"] {
        let r = check(bad, &opts);
        assert_eq!(codes(&r), [Code::NotVerificationCode], "{bad}");
    }
    assert!(is_verification_code("0000"));
    assert!(!is_verification_code(" 1234"));
}

#[test]
fn fields() {
    assert_eq!(field_fault("张三"), None);
    assert_eq!(field_fault(" "), Some(FieldFault::Empty));
    assert_eq!(field_fault("a|b"), Some(FieldFault::Separator));
    assert_eq!(field_fault("a\u{7}"), Some(FieldFault::Control));
}

#[test]
fn near_a_boundary_warns() {
    // 47 CJK syllables and two commas: 10.44 + 0.6 = 11.04 s; 15 % more
    // is 12.7 s.
    let text = format!(
        "{}，{}，{}",
        "您".repeat(15),
        "好".repeat(16),
        "啊".repeat(16)
    );
    let r = check(&text, &TemplateOptions::default());
    let e = r.estimate.as_ref().unwrap();
    assert_eq!(e.billing_units, 1);
    assert!(e.near_boundary, "{e:?}");
    assert_eq!(codes(&r), [Code::NearUnitBoundary]);
    let m = &r.problems[0].message;
    assert!(
        m.contains("12 s boundary") && m.contains("2 unit(s) instead of 1"),
        "{m}"
    );
    assert_eq!(r.verdict, Verdict::Warn);
}
