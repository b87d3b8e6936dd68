"""Microbenchmark: sealing Secrets with the in-process SOPS (sops_age) against the sops binary.

    python benchmarks/sops_inprocess.py [--secrets 3100] [--binary-sample 50]

Encrypts ``--secrets`` small Secrets in-process and ``--binary-sample`` of them with the sops
binary (one process each, as ``Sops.encrypt`` does), and extrapolates the binary's time to
all of them. Also times decrypting one file. Single-threaded both ways; prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aigonix_render.seal import age as sops_age
from aigonix_render.seal.sops import Sops, find_sops

KEY = Path(__file__).resolve().parent.parent / "tests" / "keys" / "dev.agekey"


def recipient() -> str:
    line = next(line for line in KEY.read_text().splitlines() if line.startswith("# public key: "))
    return line.removeprefix("# public key: ")


def secret_text(i: int) -> str:
    """A Secret as the seal stage renders it: sorted keys, two values."""
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n"
        f"  annotations:\n    aigonix.io/sealed-from: sha256:{i:064x}\n"
        f"  labels:\n    app.kubernetes.io/managed-by: aigonix-render\n    application: app-{i % 50}\n"
        f"  name: secret-{i}\n  namespace: application-{i % 7}\n"
        f'stringData:\n  password: "p@ss-{i}-{"x" * 24}"\n  username: "user-{i}"\n'
        "type: Opaque\n"
    )


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--secrets", type=int, default=3100)
    parser.add_argument("--binary-sample", type=int, default=50)
    args = parser.parse_args()
    texts = [secret_text(i) for i in range(args.secrets)]
    age = recipient()
    binary = Sops(find_sops())
    sample = texts[: args.binary_sample]

    inprocess = timed(lambda: [sops_age.encrypt(t, (age,), name=f"s{i}") for i, t in enumerate(texts)], 3)
    by_binary = timed(lambda: [binary.encrypt(t, (("age", (age,)),), f"s{i}") for i, t in enumerate(sample)])
    per_binary = by_binary / len(sample)

    sealed = sops_age.encrypt(texts[0], (age,), name="s0")
    identities = sops_age.identities_from_environment({"SOPS_AGE_KEY_FILE": str(KEY)})
    decrypt_inprocess = (
        timed(lambda: [sops_age.decrypt(sealed, identities, name="s0") for _ in range(200)]) / 200
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "s0.yaml")
        path.write_text(sealed)
        os.environ["SOPS_AGE_KEY_FILE"] = str(KEY)
        decrypt_binary = timed(lambda: [binary.decrypt(path, "s0") for _ in range(20)]) / 20

    n = args.secrets
    print(f"{'':34}{'per Secret':>12}{f'{n} Secrets':>16}")
    print(f"{'encrypt, in-process':34}{inprocess / n * 1e3:>10.3f}ms{inprocess:>15.2f}s")
    print(
        f"{f'encrypt, sops binary (n={len(sample)})':34}{per_binary * 1e3:>10.3f}ms{per_binary * n:>14.2f}s*"
    )
    print(f"{'decrypt, in-process':34}{decrypt_inprocess * 1e3:>10.3f}ms")
    print(f"{'decrypt, sops binary':34}{decrypt_binary * 1e3:>10.3f}ms")
    print(f"* extrapolated; speed-up for encryption: {per_binary * n / inprocess:.0f}x")


if __name__ == "__main__":
    main()
