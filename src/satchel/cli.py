"""The ``satchel`` command: serve, verify, key generate, sign.

``verify`` exits 0 when verified, 1 when not verified, 2 when the input is unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from satchel import __version__
from satchel.config import Settings, apply_operator_contexts
from satchel.errors import SatchelError
from satchel.validator.inputs import MAX_INPUT_BYTES
from satchel.validator.report import Outcome, VerificationReport

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2
JWT_SUITES = {
    "jwt-eddsa": "EdDSA",
    "jwt-es256": "ES256",
    "jwt-es384": "ES384",
    "jwt-rs256": "RS256",
}
DI_SUITES = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
    "Ed25519Signature2020",
)
KEY_TYPES = {"ed25519": "Ed25519", "p256": "P-256", "p384": "P-384", "rsa": "RSA"}


class UsageError(SatchelError):
    type = "usage-error"
    title = "Unusable input"
    status = 400


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        apply_operator_contexts(Settings.from_env())
        result: int = args.handler(args)
    except SatchelError as exc:
        print(f"satchel: {exc.detail}", file=sys.stderr)
        return EXIT_UNUSABLE
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="satchel", description=__doc__)
    parser.add_argument("--version", action="version", version=f"satchel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the web service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, help="processes sharing the port (default 1; e.g. one per core)"
    )
    serve.set_defaults(handler=_serve)

    verify = commands.add_parser("verify", help="verify a credential or presentation")
    verify.add_argument("source", help="a file, an https URL, or - for standard input")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.add_argument("--challenge", help="expected presentation challenge")
    verify.add_argument("--domain", help="expected presentation domain")
    verify.add_argument("--expect-email", help="check the credential was issued to this email")
    verify.add_argument("--expect-url", help="check the credential was issued to this URL")
    verify.add_argument("--expect-phone", help="check the credential was issued to this phone")
    verify.add_argument("--expect-did", help="check the credential was issued to this DID")
    verify.add_argument(
        "--fetch-refresh", action="store_true", help="contact the refreshService if any"
    )
    verify.set_defaults(handler=_verify)

    key = commands.add_parser("key", help="key management")
    key_commands = key.add_subparsers(dest="key_command", required=True)
    generate = key_commands.add_parser("generate", help="generate a private key (JWK)")
    generate.add_argument("--type", choices=sorted(KEY_TYPES), default="ed25519")
    generate.add_argument("--out", required=True, type=Path)
    generate.set_defaults(handler=_key_generate)

    sign = commands.add_parser("sign", help="sign a credential")
    sign.add_argument("source", help="an unsigned credential file, or - for standard input")
    sign.add_argument("--key", required=True, type=Path, help="private JWK file")
    sign.add_argument("--suite", required=True, choices=[*DI_SUITES, *JWT_SUITES])
    sign.set_defaults(handler=_sign)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import dataclasses

    from satchel.server import configure_logging, serve

    settings = Settings.from_env()
    settings = dataclasses.replace(
        settings, host=args.host or settings.host, port=args.port or settings.port
    )
    configure_logging(settings)
    workers = args.workers or 1
    print(
        f"Satchel {__version__} listening on http://{settings.host}:{settings.port}/"
        + (f" ({workers} worker processes)" if workers > 1 else ""),
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, workers)
    return 0


def _read_source(source: str) -> bytes:
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{source}: no such file")
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    return data


def _verify(args: argparse.Namespace) -> int:
    report = asyncio.run(_verify_async(args))
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(render_summary(report))
    if report.unusable_input:
        return EXIT_UNUSABLE
    return EXIT_VERIFIED if report.verified else EXIT_NOT_VERIFIED


async def _verify_async(args: argparse.Namespace) -> VerificationReport:
    from satchel.fetcher import FetchPolicy, GuardedFetcher
    from satchel.validator.engine import VerificationOptions, Verifier

    options = VerificationOptions(
        challenge=args.challenge,
        domain=args.domain,
        expected_email=args.expect_email,
        expected_url=args.expect_url,
        expected_phone=args.expect_phone,
        expected_did=args.expect_did,
        fetch_refresh=args.fetch_refresh,
    )
    async with GuardedFetcher(FetchPolicy.from_env()) as fetcher:
        # A URL is handed to the engine as text: extraction fetches it through the fetcher.
        is_url = args.source.startswith(("https://", "http://"))
        data: bytes | str = args.source if is_url else _read_source(args.source)
        return await Verifier(fetcher=fetcher).verify(data, options)


_MARKS = {
    Outcome.PASSED: "pass",
    Outcome.FAILED: "FAIL",
    Outcome.WARNING: "warn",
    Outcome.NOT_CHECKED: "skip",
}


def render_summary(report: VerificationReport) -> str:
    """A readable verdict: one line of result, then one line per check."""
    if report.unusable_input:
        head = "UNUSABLE INPUT"
    else:
        head = "VERIFIED" if report.verified else "NOT VERIFIED"
    lines = [f"{head} ({report.kind or 'input'})"]
    for check in report.checks:
        lines.append(f"  [{_MARKS[check.outcome]}] {check.target} {check.id}: {check.message}")
    if report.not_checked:
        lines.append("Not checked: " + "; ".join(report.not_checked))
    return "\n".join(lines)


def _key_generate(args: argparse.Namespace) -> int:
    from satchel.did.keys import KeyType, generate_private_key

    key = generate_private_key(KeyType(KEY_TYPES[args.type]))
    out: Path = args.out
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(key.to_jwk(), handle, indent=2)
        handle.write("\n")
    print(_did_for(key.public_key))
    return 0


def _did_for(public_key: Any) -> str:
    from satchel.did.did_jwk import did_jwk_from_public_key
    from satchel.did.did_key import did_key_from_public_key
    from satchel.did.keys import KeyType

    if public_key.key_type is KeyType.RSA:
        return did_jwk_from_public_key(public_key)
    return did_key_from_public_key(public_key)


def _verification_method_for(public_key: Any) -> str:
    from satchel.did.did_key import did_key_verification_method_id
    from satchel.did.keys import KeyType

    did = _did_for(public_key)
    return f"{did}#0" if public_key.key_type is KeyType.RSA else did_key_verification_method_id(did)


def _sign(args: argparse.Namespace) -> int:
    from satchel.did.jwk import private_key_from_jwk
    from satchel.did.keys import SignatureAlgorithm
    from satchel.validator.inputs import parse_input
    from satchel.validator.proofs.data_integrity import sign
    from satchel.validator.proofs.vc_jwt import sign_vc_jwt

    try:
        jwk = json.loads(args.key.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{args.key}: cannot read a JWK: {exc}") from exc
    key = private_key_from_jwk(jwk)
    parsed = parse_input(_read_source(args.source))
    if parsed.document is None:
        raise UsageError("sign needs an unsigned credential as a JSON object")
    vm = _verification_method_for(key.public_key)
    if args.suite in JWT_SUITES:
        alg = SignatureAlgorithm(JWT_SUITES[args.suite])
        print(sign_vc_jwt(parsed.document, key, kid=vm, algorithm=alg))
    else:
        signed = sign(parsed.document, key, cryptosuite=args.suite, verification_method=vm)
        print(json.dumps(signed, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
