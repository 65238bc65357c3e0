import os
import stat
import threading

from satchel.config import Settings
from satchel.private_files import create_private_file
from satchel.validator.web.services import load_instance_issuer


def test_private_file_is_owner_only_and_never_overwritten(tmp_path):
    path = tmp_path / "dir" / "secret"
    assert create_private_file(path, "first")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not create_private_file(path, "second")
    assert path.read_text() == "first"
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary left behind


def test_racing_creators_agree_on_one_complete_file(tmp_path):
    path = tmp_path / "secret"
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(create_private_file(path, f"{i}" * 64)))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    content = path.read_text()
    assert len(content) == 64 and len(set(content)) == 1


def test_generated_instance_issuer_key_is_readable_by_its_owner_only(tmp_path):
    issuer = load_instance_issuer(Settings(data_dir=tmp_path))
    key_file = tmp_path / "issuer-key.jwk"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert load_instance_issuer(Settings(data_dir=tmp_path)).did == issuer.did
