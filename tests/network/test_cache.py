"""Cache entries: a broken entry is detected, moved aside and rebuilt; stale temporaries go."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import corridors
from corridors.network._cache import (
    clean_stale_tmp,
    entry_path,
    load_arrays,
    load_entry,
    save_entry,
)

KEY = "ab" * 32


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)


def _save(data: bytes = b"payload") -> Path:
    return save_entry("networks", KEY, ".npz", lambda p: p.write_bytes(data), {"n": 1})


def _names() -> list[str]:
    return sorted(p.name for p in entry_path("networks", KEY, ".npz").parent.iterdir())


def test_intact_entry_loads() -> None:
    path = _save()
    entry = load_entry("networks", KEY, ".npz")
    assert entry is not None and entry[0] == path and entry[1]["n"] == 1


def test_data_folder_is_moved_aside() -> None:
    path = _save()
    path.unlink()
    path.mkdir()
    assert load_entry("networks", KEY, ".npz") is None
    assert _names() == [f"{path.name}.corrupt", f"{path.name}.json.corrupt"]
    _save()  # the rebuild writes a fresh entry
    assert load_entry("networks", KEY, ".npz") is not None


def test_manifest_folder_and_list_are_moved_aside() -> None:
    path = _save()
    manifest = path.with_suffix(".npz.json")
    manifest.unlink()
    manifest.mkdir()
    assert load_entry("networks", KEY, ".npz") is None
    assert not manifest.exists() and Path(f"{manifest}.corrupt").is_dir()
    path = _save()
    manifest.write_text(json.dumps([KEY]), encoding="utf-8")
    assert load_entry("networks", KEY, ".npz") is None
    assert json.loads(Path(f"{manifest}.corrupt").read_text(encoding="utf-8")) == [KEY]


def test_empty_data_file_with_a_matching_checksum() -> None:
    path = _save(b"")  # its manifest holds the SHA-256 of zero bytes: the digest matches
    assert load_entry("networks", KEY, ".npz") is None
    assert Path(f"{path}.corrupt").stat().st_size == 0


def test_save_moves_a_folder_out_of_the_way() -> None:
    path = entry_path("networks", KEY, ".npz")
    path.mkdir(parents=True)
    _save()
    assert path.is_file() and Path(f"{path}.corrupt").is_dir()


def test_stale_temporaries_of_killed_builds_are_removed() -> None:
    folder = entry_path("networks", KEY, ".npz").parent
    folder.mkdir(parents=True)
    old, fresh = folder / ".x.npz.abc123.tmp", folder / ".y.npz.def456.tmp"
    old.write_bytes(b"half")
    fresh.write_bytes(b"in progress")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert load_entry("networks", KEY, ".npz") is None  # the next run cleans up
    assert _names() == [fresh.name]
    assert clean_stale_tmp(folder, older_than_s=0) == 1
    assert _names() == []


def test_arrays_read_in_one_pass_equal_numpy_load_and_a_corrupt_entry_is_moved_aside() -> None:
    import io

    import numpy as np

    arrays = {
        "i8": np.arange(7, dtype=np.int64),
        "i4": np.arange(5, dtype=np.int32).reshape(5, 1),
        "f": np.linspace(0, 1, 11),
        "s": np.asarray(["ab", "c"]),
        "b": np.array([True, False]),
        "scalar": np.asarray(3),
        "empty": np.zeros(0),
    }
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    path = _save(buf.getvalue())
    got = load_arrays("networks", KEY)
    assert got is not None and sorted(got) == sorted(arrays)
    for name, a in arrays.items():
        assert got[name].dtype == a.dtype and got[name].shape == a.shape, name
        assert np.array_equal(got[name], a), name
    got["f"][0] = 5.0  # views into a private buffer: writable, the file untouched
    assert np.load(path)["f"][0] == 0.0
    path.write_bytes(buf.getvalue()[:-10])  # truncated: the digest no longer matches
    assert load_arrays("networks", KEY) is None
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()


def test_an_aligned_npz_is_read_as_views_and_by_numpy_load() -> None:
    import numpy as np

    from corridors.network._cache import NPZ_ALIGN, npz_bytes

    arrays = {
        "odd_name": np.arange(3, dtype=np.int8),  # moves what follows off any alignment
        "f": np.linspace(0, 1, 1001),
        "i8": np.arange(513, dtype=np.int64),
        "nodes": np.frombuffer(b"xyz" * 7, dtype="S1"),
        "scalar": np.asarray(3),
    }
    data = npz_bytes(arrays)
    path = _save(data)
    got = load_arrays("networks", KEY)
    assert got is not None and sorted(got) == sorted(arrays)
    for name, a in arrays.items():
        assert np.array_equal(got[name], a) and got[name].dtype == a.dtype, name
        # a view into the bytes read, not an aligned copy; its data at a 64-byte offset
        assert not got[name].flags.owndata, name
    offsets = [data.find(a.tobytes()) for a in (arrays["f"], arrays["i8"])]
    assert all(o > 0 and o % NPZ_ALIGN == 0 for o in offsets), offsets
    with np.load(path) as z:  # a standard .npz: numpy reads it too
        assert all(np.array_equal(z[name], a) for name, a in arrays.items())


def _member_data_offset(data: bytes, name: str) -> int:
    """Offset in an ``.npz`` of the first data byte of member ``name`` (after its header)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at = zf.getinfo(f"{name}.npy").header_offset
    n_name = int.from_bytes(data[at + 26 : at + 28], "little")
    n_extra = int.from_bytes(data[at + 28 : at + 30], "little")
    return at + 30 + n_name + n_extra + 128  # past the member's 128-byte .npy header


def test_the_manifest_holds_the_size_and_crc32_of_every_byte() -> None:
    import hashlib
    import zlib

    path = _save(b"payload")
    manifest = json.loads(path.with_suffix(".npz.json").read_text(encoding="utf-8"))
    assert manifest["key"] == KEY and manifest["n"] == 1
    assert manifest["size"] == 7
    assert manifest["crc32"] == zlib.crc32(b"payload") == 0x422C6A15
    assert manifest["sha256"] == hashlib.sha256(b"payload").hexdigest()


def test_a_byte_flipped_inside_a_member_is_refused_and_the_entry_moved_aside(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import zipfile

    import numpy as np

    from corridors.network._cache import npz_bytes

    arrays = {"f": np.linspace(0, 1, 1001), "i8": np.arange(513, dtype=np.int64)}
    data = bytearray(npz_bytes(arrays))
    at = _member_data_offset(bytes(data), "f") + 800  # inside the array's data
    data[at] ^= 0x01
    path = _save(npz_bytes(arrays))
    path.write_bytes(bytes(data))  # same size, one bit off: only a checksum sees it
    # the claim checked: numpy.load reads a member through zipfile, whose CRC-32 refuses it
    with np.load(path) as z, pytest.raises(zipfile.BadZipFile, match="CRC"):
        z["f"]
    # the loader, which maps the file and reads views, refuses it by the manifest's CRC-32
    assert load_arrays("networks", KEY) is None
    assert "corrupt" in caplog.text
    assert _names() == [f"{path.name}.corrupt", f"{path.name}.json.corrupt"]
    _save(npz_bytes(arrays))  # the rebuild writes a fresh, intact entry
    got = load_arrays("networks", KEY)
    assert got is not None and np.array_equal(got["f"], arrays["f"])


def test_a_byte_flipped_where_no_zip_crc_looks_is_refused_too() -> None:
    import numpy as np

    from corridors.network._cache import npz_bytes

    arrays = {"odd_name": np.arange(3, dtype=np.int8), "f": np.linspace(0, 1, 101)}
    data = bytearray(npz_bytes(arrays))
    # the local header's padding of the second member: not in any member's CRC-32 (numpy
    # reads the file unchanged), but in the manifest's CRC-32 over every byte
    at = _member_data_offset(bytes(data), "f") - 128 - 1
    assert data[at] == 0
    data[at] = 0x55
    path = _save(npz_bytes(arrays))
    path.write_bytes(bytes(data))
    with np.load(path) as z:
        assert np.array_equal(z["f"], arrays["f"])
    assert load_arrays("networks", KEY) is None
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()


def test_a_manifest_without_crc32_is_checked_by_its_sha256_and_upgraded() -> None:
    import zlib

    import numpy as np

    from corridors.network._cache import npz_bytes

    arrays = {"f": np.linspace(0, 1, 11)}
    data = npz_bytes(arrays)
    path = _save(data)
    manifest_path = path.with_suffix(".npz.json")
    older = json.loads(manifest_path.read_text(encoding="utf-8"))
    del older["crc32"], older["size"]  # as written before the CRC-32 was added
    manifest_path.write_text(json.dumps(older), encoding="utf-8")
    got = load_arrays("networks", KEY)
    assert got is not None and np.array_equal(got["f"], arrays["f"])
    upgraded = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert upgraded == {**older, "size": len(data), "crc32": zlib.crc32(data)}
    # an older manifest whose SHA-256 does not match is refused, as before
    manifest_path.write_text(json.dumps({**older, "sha256": "0" * 64}), encoding="utf-8")
    assert load_arrays("networks", KEY) is None
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()


def _manifest(path: Path) -> dict[str, object]:
    got = json.loads(path.with_suffix(".npz.json").read_text(encoding="utf-8"))
    assert isinstance(got, dict)
    return got


def _no_crc(*args: object, **kwargs: object) -> int:
    raise AssertionError("the CRC-32 was computed")


def _load(how: str) -> object:
    if how == "arrays":
        return load_arrays("networks", KEY)
    return load_entry("networks", KEY, ".npz")


@pytest.mark.parametrize("how", ["arrays", "entry"])
def test_a_file_that_passed_is_stamped_and_read_again_without_its_crc(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from corridors.network import _cache
    from corridors.network._cache import npz_bytes

    arrays = {"f": np.linspace(0, 1, 11)}
    path = _save(npz_bytes(arrays))
    # just written: its status changed under SETTLE_S ago, so it is checked and not stamped
    assert _load(how) is not None and "checked" not in _manifest(path)
    monkeypatch.setattr(_cache, "SETTLE_S", 0.0)
    assert _load(how) is not None
    st = path.stat()
    assert _manifest(path)["checked"] == [
        st.st_dev,
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
    ]
    # the same file again: no CRC-32
    monkeypatch.setattr(_cache.zlib, "crc32", _no_crc)
    assert _load(how) is not None
    # a stamp is for its key only
    monkeypatch.undo()
    assert load_arrays("networks", "cd" * 32) is None


@pytest.mark.parametrize("how", ["arrays", "entry"])
@pytest.mark.parametrize("change", ["write", "copy"])
def test_a_stamped_file_written_or_copied_over_is_checked_again(
    how: str, change: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil

    import numpy as np

    from corridors.network import _cache
    from corridors.network._cache import npz_bytes

    monkeypatch.setattr(_cache, "SETTLE_S", 0.0)
    arrays = {"f": np.linspace(0, 1, 1001)}
    good = npz_bytes(arrays)
    path = _save(good)
    assert _load(how) is not None and "checked" in _manifest(path)
    bad = bytearray(good)
    bad[_member_data_offset(good, "f") + 800] ^= 0x01
    before = path.stat()
    if change == "write":  # in place, with the modification time set back
        time.sleep(0.05)  # past the kernel's clock tick, so the status-change time moves
        path.write_bytes(bytes(bad))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:  # a copy with the same times, renamed over it: a new inode
        other = tmp_path / "other.npz"
        other.write_bytes(bytes(bad))
        os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
        shutil.copy2(other, path.with_name("copy.tmp"))
        path.with_name("copy.tmp").replace(path)
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == len(good)
    assert _load(how) is None
    assert _names() == [f"{path.name}.corrupt", f"{path.name}.json.corrupt"]
