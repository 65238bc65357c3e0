from satchel.validator.report import Check, Outcome, VerificationReport


def report_of(*checks: Check) -> VerificationReport:
    report = VerificationReport()
    for check in checks:
        report.add(check)
    return report


def test_verified_needs_a_passed_proof_and_no_failure():
    assert report_of(Check("proof", Outcome.PASSED, "ok")).verified
    assert not report_of(Check("contexts", Outcome.PASSED, "ok")).verified
    assert not report_of(
        Check("proof", Outcome.PASSED, "ok"), Check("status", Outcome.FAILED, "revoked")
    ).verified


def test_not_checked_never_makes_a_report_verified_on_its_own():
    report = report_of(Check("proof", Outcome.NOT_CHECKED, "no fetcher"))
    assert not report.verified
    assert report.not_checked == ["credential: no fetcher"]


def test_failure_on_an_advisory_target_warns_without_deciding_the_verdict():
    report = report_of(
        Check("proof", Outcome.PASSED, "ok"),
        Check("proof", Outcome.FAILED, "bad", target="credential.endorsement[0]", advisory=True),
    )
    assert report.verified
    assert report.errors == []
    assert report.warnings == ["credential.endorsement[0]: bad"]
    assert report.to_json()["checks"][1]["advisory"] is True


def test_a_passed_proof_on_an_advisory_target_does_not_verify_the_document():
    report = report_of(
        Check("proof", Outcome.PASSED, "ok", target="credential.endorsement[0]", advisory=True)
    )
    assert not report.verified


def test_unusable_input_is_never_verified():
    report = report_of(Check("proof", Outcome.PASSED, "ok"))
    report.unusable_input = True
    assert not report.verified
