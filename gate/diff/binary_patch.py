"""The data of a `GIT binary patch` (`git diff --binary`, `git format-patch`), read as `git apply` reads
it (apply.c, `parse_binary_hunk`), so that the bytes git writes are the bytes the gate checks.

After the `GIT binary patch` line come one or two blocks, the change (forward) and its reverse. Each
opens with `literal <size>` (the whole file) or `delta <size>` (a change to the old file, which a patch
does not hold), then lines of base85 text, each led by a letter that says how many bytes it holds
(`A`-`Z` 1 to 26, `a`-`z` 27 to 52), and ends at an empty line; the bytes are deflated with zlib, and
`<size>` is their inflated length. A block git would call corrupt is an input error here too.

The `index <old>..<new>` line's ids say which bytes git writes: it applies a binary patch only when both
are whole, checks the old file against the old id, and when it already holds an object of the new id it
writes that object and not the block (apply.c, `apply_binary`). So a block is the file only when its
bytes, hashed as a git blob, give that id (`blob_id`).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Sequence

from gate.diff.model import BinaryBlock, BinaryMethod, BinaryPatch
from gate.errors import InputError


def inflate(block: BinaryBlock, limit: int, where: str) -> bytes | None:
    """The block's bytes; None when its header says more than `limit` bytes (they are not inflated: a
    few kilobytes of zlib data can inflate to gigabytes)."""
    if block.size > limit:
        return None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(block.deflated, block.size + 1)
    except zlib.error:
        raise _corrupt(where, "its data does not inflate") from None
    if len(data) != block.size or not inflater.eof:
        raise _corrupt(where, f"it inflates to other than the {block.size:,} bytes its header says")
    return data


# A whole object id's length in hex, and its hash: SHA-1 repositories, and SHA-256 ones.
ID_HASHES = {40: "sha1", 64: "sha256"}
# Inflated a piece at a time when a block is hashed, so that a large one is never held whole.
_PIECE = 1 << 20


def blob_id(data: bytes, id_length: int) -> str:
    """The id git gives a blob of `data`, in the hash its ids of `id_length` hex digits use."""
    hashed = hashlib.new(ID_HASHES[id_length], b"blob %d\0" % len(data))
    hashed.update(data)
    return hashed.hexdigest()


def block_id(block: BinaryBlock, id_length: int, where: str) -> str:
    """`blob_id` of a `literal` block's bytes, inflated a piece at a time: the caller bounds its size, as
    git applies a block of any size."""
    hashed = hashlib.new(ID_HASHES[id_length], b"blob %d\0" % block.size)
    inflater = zlib.decompressobj()
    data, size = block.deflated, 0
    try:
        while not inflater.eof and size <= block.size:
            piece = inflater.decompress(data, _PIECE)
            data = inflater.unconsumed_tail
            if not piece:
                break
            size += len(piece)
            hashed.update(piece)
    except zlib.error:
        raise _corrupt(where, "its data does not inflate") from None
    if size != block.size or not inflater.eof:
        raise _corrupt(where, f"it inflates to other than the {block.size:,} bytes its header says")
    return hashed.hexdigest()


def read_binary_patch(lines: Sequence[str], where: str) -> BinaryPatch | None:
    """The blocks of the lines after a `GIT binary patch` line (each with its line end); None when the
    first is no block header (git refuses such a patch: "unrecognized binary patch"). Raises InputError
    where git would call the patch corrupt."""
    forward, at = _block(lines, 0, where)
    if forward is None:
        return None
    reverse, _ = _block(lines, at, where)
    return BinaryPatch(forward, reverse)


def _block(lines: Sequence[str], at: int, where: str) -> tuple[BinaryBlock | None, int]:
    """The block whose header is line `at`, and the index of the line after its empty line."""
    if at >= len(lines):
        return None, at
    head = lines[at].rstrip("\r\n")
    method_name, _, size_text = head.partition(" ")
    if method_name not in ("literal", "delta"):
        return None, at
    # git reads the size with strtoul: a number of more digits than any file's size is none
    if not size_text.isascii() or not size_text.isdigit() or len(size_text) > 20:
        raise _corrupt(where, f"a {method_name} block has no size")
    data = bytearray()
    i = at + 1
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        i += 1
        if not line:
            return BinaryBlock(BinaryMethod(method_name), int(size_text), bytes(data)), i
        data += _data_line(line, where)
    raise _corrupt(where, f"a {method_name} block has no empty line after it")


def _data_line(line: str, where: str) -> bytes:
    """One line of base85 data: its length letter, then five characters for each four bytes."""
    letter, encoded = line[:1], line[1:]
    if "A" <= letter <= "Z":
        length = ord(letter) - ord("A") + 1
    elif "a" <= letter <= "z":
        length = ord(letter) - ord("a") + 27
    else:
        raise _corrupt(where, "a data line has no length letter")
    # git's checks: whole groups of five, and no more than three bytes of filler in the last.
    groups = len(encoded) // 5
    if not encoded or len(encoded) % 5 or not groups * 4 - 4 < length <= groups * 4:
        raise _corrupt(where, "a data line is not as long as its length letter says")
    try:
        return base64.b85decode(encoded.encode("ascii"))[:length]
    except (ValueError, UnicodeEncodeError):
        raise _corrupt(where, "a data line is not base85") from None


def _corrupt(where: str, why: str) -> InputError:
    return InputError(
        f"{where}: a corrupt GIT binary patch: {why}", "git apply refuses it too; make the patch again"
    )
