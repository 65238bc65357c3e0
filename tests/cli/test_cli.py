"""The satchel command as a user runs it: key generate, sign, verify (exit codes 0/1/2)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from satchel.cli import main

UNSIGNED = json.loads((Path(__file__).parents[1] / "data" / "unsigned-ob30.json").read_text())

CASES = [
    ("ed25519", "eddsa-rdfc-2022"),
    ("ed25519", "eddsa-jcs-2022"),
    ("ed25519", "Ed25519Signature2020"),
    ("p256", "ecdsa-rdfc-2019"),
    ("p384", "ecdsa-rdfc-2019"),
    ("p256", "ecdsa-jcs-2019"),
    ("p384", "ecdsa-jcs-2019"),
    ("ed25519", "jwt-eddsa"),
    ("p256", "jwt-es256"),
    ("p384", "jwt-es384"),
    ("rsa", "jwt-rs256"),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def make_key(capsys, tmp_path: Path, key_type: str) -> tuple[Path, str]:
    key_file = tmp_path / f"{key_type}.jwk"
    code, out, _ = run(capsys, "key", "generate", "--type", key_type, "--out", str(key_file))
    assert code == 0
    return key_file, out.strip()


def sign_file(capsys, tmp_path: Path, key_type: str, suite: str) -> Path:
    key_file, did = make_key(capsys, tmp_path, key_type)
    unsigned = json.loads(json.dumps(UNSIGNED).replace("ISSUER", did))
    source = tmp_path / "unsigned.json"
    source.write_text(json.dumps(unsigned))
    code, out, err = run(capsys, "sign", "--key", str(key_file), "--suite", suite, str(source))
    assert code == 0, err
    signed = tmp_path / ("signed.jwt" if suite.startswith("jwt-") else "signed.json")
    signed.write_text(out)
    return signed


def test_key_generate_writes_a_private_jwk_readable_only_by_its_owner(capsys, tmp_path):
    key_file, did = make_key(capsys, tmp_path, "ed25519")
    assert did.startswith("did:key:z6Mk")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    jwk = json.loads(key_file.read_text())
    assert jwk["kty"] == "OKP" and "d" in jwk


def test_key_generate_never_overwrites_an_existing_file(capsys, tmp_path):
    key_file, _ = make_key(capsys, tmp_path, "p256")
    before = key_file.read_text()
    with pytest.raises(FileExistsError):
        main(["key", "generate", "--type", "p256", "--out", str(key_file)])
    assert key_file.read_text() == before


@pytest.mark.parametrize(("key_type", "suite"), CASES)
def test_signed_credential_verifies_with_exit_code_zero(capsys, tmp_path, key_type, suite):
    signed = sign_file(capsys, tmp_path, key_type, suite)
    code, out, _ = run(capsys, "verify", "--json", str(signed))
    report = json.loads(out)
    assert code == 0, report
    assert report["verified"] is True
    assert {c["id"] for c in report["checks"]} >= {"parse", "contexts", "proof", "validity"}
    assert all(set(c) >= {"id", "outcome", "message"} for c in report["checks"])
    assert report["errors"] == []


@pytest.mark.parametrize(("key_type", "suite"), [c for c in CASES if not c[1].startswith("jwt")])
def test_tampered_credential_fails_with_exit_code_one(capsys, tmp_path, key_type, suite):
    signed = sign_file(capsys, tmp_path, key_type, suite)
    document = json.loads(signed.read_text())
    document["name"] = "Leadership"
    signed.write_text(json.dumps(document))
    code, out, _ = run(capsys, "verify", "--json", str(signed))
    report = json.loads(out)
    assert code == 1
    assert report["verified"] is False
    failed = [c for c in report["checks"] if c["outcome"] == "failed"]
    assert [c["id"] for c in failed] == ["proof"]


def test_tampered_jwt_fails_with_exit_code_one(capsys, tmp_path):
    signed = sign_file(capsys, tmp_path, "ed25519", "jwt-eddsa")
    header, payload, signature = signed.read_text().strip().split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    signed.write_text(f"{header}.{payload}.{flipped}")
    code, out, _ = run(capsys, "verify", "--json", str(signed))
    assert code == 1
    assert json.loads(out)["verified"] is False


def test_jwt_given_as_a_json_string_is_verified(capsys, tmp_path):
    signed = sign_file(capsys, tmp_path, "ed25519", "jwt-eddsa")
    as_json = tmp_path / "token.json"
    as_json.write_text(json.dumps(signed.read_text().strip()))
    code, _, _ = run(capsys, "verify", "--json", str(as_json))
    assert code == 0


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[1,2]", b"{" * 10_000, b"\x89PNG\r\n\x1a\n\x00\x00"]
)
def test_unusable_input_exits_with_code_two(capsys, tmp_path, content):
    path = tmp_path / "input"
    path.write_bytes(content)
    code, out, _ = run(capsys, "verify", "--json", str(path))
    report = json.loads(out)
    assert code == 2
    assert report["verified"] is False
    assert report["checks"][0]["id"] == "parse"
    assert report["checks"][0]["outcome"] == "failed"


def test_missing_file_exits_with_code_two(capsys, tmp_path):
    code, _, err = run(capsys, "verify", str(tmp_path / "absent.json"))
    assert code == 2
    assert "no such file" in err


def test_url_to_a_loopback_address_is_refused_without_a_connection(capsys):
    code, out, _ = run(capsys, "verify", "--json", "https://127.0.0.1:1/credential.json")
    report = json.loads(out)
    assert code == 2
    assert "127.0.0.1" in report["checks"][0]["message"]


def test_readable_summary_names_the_verdict_and_every_check(capsys, tmp_path):
    signed = sign_file(capsys, tmp_path, "ed25519", "eddsa-rdfc-2022")
    code, out, _ = run(capsys, "verify", str(signed))
    assert code == 0
    assert out.startswith("VERIFIED (credential)")
    assert "[pass] credential proof:" in out


def test_verify_reads_standard_input_through_the_console_script(capsys, tmp_path):
    signed = sign_file(capsys, tmp_path, "ed25519", "eddsa-rdfc-2022")
    script = Path(sys.executable).with_name("satchel")
    result = subprocess.run(
        [str(script), "verify", "--json", "-"],
        input=signed.read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verified"] is True


def test_url_on_an_allowed_loopback_host_is_fetched_and_verified(capsys, tmp_path):
    signed = sign_file(capsys, tmp_path, "ed25519", "eddsa-rdfc-2022")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        env = {**os.environ, "SATCHEL_FETCH_ALLOW_HOSTS": f"127.0.0.1:{port}"}
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("satchel")),
                "verify",
                "--json",
                f"http://127.0.0.1:{port}/{signed.name}",
            ],
            capture_output=True,
            timeout=60,
            check=False,
            env=env,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verified"] is True


def test_operator_context_folder_makes_an_extra_context_known(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "contexts"
    folder.mkdir()
    url = "https://contexts.example/extra/v1"
    (folder / "extra.json").write_text(
        json.dumps({"@context": {"extra": "https://ex.example/extra"}})
    )
    (folder / "MANIFEST.json").write_text(json.dumps({"contexts": {url: {"file": "extra.json"}}}))
    key_file, did = make_key(capsys, tmp_path, "ed25519")
    unsigned = json.loads(json.dumps(UNSIGNED).replace("ISSUER", did))
    unsigned["@context"].append(url)
    unsigned["extra"] = "value"
    monkeypatch.setenv("SATCHEL_CONTEXTS_DIR", str(folder))
    source = tmp_path / "unsigned.json"
    source.write_text(json.dumps(unsigned))
    # sign in a subprocess so the extra context is registered only there and in verify below
    script = str(Path(sys.executable).with_name("satchel"))
    signed = subprocess.run(
        [script, "sign", "--key", str(key_file), "--suite", "eddsa-rdfc-2022", str(source)],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "SATCHEL_CONTEXTS_DIR": str(folder)},
    )
    assert signed.returncode == 0, signed.stderr
    path = tmp_path / "signed.json"
    path.write_bytes(signed.stdout)
    result = subprocess.run(
        [script, "verify", "--json", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "SATCHEL_CONTEXTS_DIR": str(folder)},
    )
    assert result.returncode == 0, result.stdout
    without = subprocess.run(
        [script, "verify", "--json", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "SATCHEL_CONTEXTS_DIR"},
    )
    assert without.returncode == 1
    assert url in without.stdout.decode()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"loopback server on {port} did not start")
