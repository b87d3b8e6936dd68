"""The one check over everything rendered (``aigonix_render.check``): every way two
rendered things meet, and every object the API server would refuse, is reported at the
input it came from.

Each case is the base tree with a few edits that pass validation, and the exact problems
the check reports; where a class is impossible already, a test shows validation refuses
it. The reader of render's canonical YAML is proved against libyaml on every object of
the sample, the base tree, a hostile tree and every case; properties say that on
generated trees the check finds nothing exactly when nothing breaks an API server rule.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, SAMPLE
from hostile import HOSTILE_VALUES
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from test_properties import valid_trees, write_tree

from aigonix_render.check import check_rendering, check_secret_size
from aigonix_render.check.apiserver import kind_rules
from aigonix_render.check.blocks import block_rules
from aigonix_render.check.metadata import name_rules
from aigonix_render.check.objects import Finding, RenderedObject, object_from_data, read_object
from aigonix_render.check.reader import read_block, read_libyaml, read_whole
from aigonix_render.check.sizes import size_rules, string_rules
from aigonix_render.foundation import replace
from aigonix_render.foundation.problems import Problem, Severity
from aigonix_render.model.build import build_model
from aigonix_render.render import Rendering, Templates, docker_config, render_model
from aigonix_render.seal.sealing import secret_text
from aigonix_render.validate.schema import Validation, validate_root

APP = "applications/shop/aigonix.yaml"
CUSTOMER = "aigonix.yaml"
WEB = "applications/shop/microservices/web/aigonix.yaml"
BILLING = "applications/shop/microservices/billing/aigonix.yaml"
NS = "in namespace application-22222222-2222-4222-8222-222222222222"
AGE = "age1ut3u964c8ef4lrtnnkcgda53m29lxmjrvte3guyeynnxr5rlz9ys3x6sym"
Edit = str | Callable[[str], str]


# --- building trees ---------------------------------------------------------------------------


def microservice(name: str, id: str, extra: str = "") -> str:
    """A microservice document with probes (so validation stays quiet) and ``extra`` keys."""
    return (
        f"apiVersion: aigonix.io/v1\nkind: Microservice\nname: {name}\nid: {id}\nhead:\n"
        f"  image: testcustomer.azurecr.io/{name.lower()}:1.0.0\n"
        "  probes:\n    liveness:\n      path: /healthz\n    readiness:\n      path: /ready\n" + extra
    )


def replacing(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def with_environment(name: str, customer: str = "", gitops: bool = False) -> dict[str, Edit]:
    """A customer environment ``name`` the application deploys to (Billing, whose secrets
    file it lacks, stays out of it); ``gitops`` renders the delivery objects."""
    delivery = "gitops:\n  repoURL: https://git.example/platform.git\n  path: manifests\n" if gitops else ""
    return {
        CUSTOMER: replacing(
            "environments:\n  Dev:",
            f"{delivery}environments:\n  {name}:\n    recipients:\n      age: [{AGE}]\n{customer}  Dev:",
        ),
        APP: replacing(
            "environments:\n  Dev:",
            f"environments:\n  {name}:\n    tenants:\n"
            "      - id: 55555555-0000-4000-8000-000000000000\n        alias: default\n  Dev:",
        ),
        BILLING: replacing("secrets:", "deployTo: [Dev, Prod]\nsecrets:"),
    }


def build(tmp_path: Path, edits: Mapping[str, Edit]) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(BASE, root)
    for relative, edit in edits.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = edit if isinstance(edit, str) else edit(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    return root


def validated(root: Path) -> Validation:
    validation = validate_root(root)
    errors = [p.text() for p in validation.problems if p.severity is Severity.ERROR]
    assert errors == [], errors
    return validation


def rendered(validation: Validation) -> Rendering:
    return render_model(build_model(validation.tree), Templates())


def checked(root: Path) -> list[str]:
    validation = validated(root)
    problems = check_rendering(rendered(validation), build_model(validation.tree), validation.tree)
    return [p.text() for p in problems]


def refused(root: Path) -> list[str]:
    return [p.text() for p in validate_root(root).problems if p.severity is Severity.ERROR]


# --- the classes, each made impossible ---------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    edits: dict[str, Edit]
    expected: list[str] = field(default_factory=list)


MONGO_MS = "applications/shop/microservices/mongo/aigonix.yaml"
ORDERS = "applications/shop/microservices/orders/aigonix.yaml"
LEDGER = "applications/shop/microservices/ledger/aigonix.yaml"
A_BB = "applications/shop/microservices/a-bb/aigonix.yaml"
BB = "applications/shop/microservices/bb/aigonix.yaml"
SHOP_A = "applications/shop-a/aigonix.yaml"
TENANT_1, TENANT_2 = "445f8ea8-1a6f-40d7-b2fc-796dba92dc44", "445f8ea8-9999-4999-8999-999999999999"
SHARE = "two Runtimes or tenants must never share a database"
PAIRED = {
    A_BB: microservice("a-bb", "12121212-0000-4000-8000-000000000000", "deployTo: [Dev]\n"),
    BB: microservice("bb", "13131313-0000-4000-8000-000000000000", "deployTo: [Dev-a]\n"),
}
PAIRED_OBJECTS = [
    "ConfigMap dev-a-bb-config-files",
    "ConfigMap dev-a-bb-dolittle",
    "ConfigMap dev-a-bb-env-variables",
    "Deployment dev-a-bb",
    "Secret dev-a-bb-secret-env-variables",
    "Service dev-a-bb",
]


def twice(here: str, title: str, there: str, origin: str) -> str:
    return f"{here}: error: {title} {NS}: rendered twice, also from {there} ({origin})"


CASES = [
    Case(
        "a microservice named like the event store",
        {MONGO_MS: microservice("mongo", "99999999-9999-4999-8999-999999999999")},
        [
            twice(f"{APP}:6:3", "Service dev-mongo", f"{MONGO_MS}:3:7", "microservice mongo in Dev"),
            twice(f"{APP}:12:3", "Service prod-mongo", f"{MONGO_MS}:3:7", "microservice mongo in Prod"),
            twice(
                f"{MONGO_MS}:3:7",
                "Service dev-mongo",
                f"{APP}:6:3",
                "environment Dev of shop, infrastructure=Mongo",
            ),
            twice(
                f"{MONGO_MS}:3:7",
                "Service prod-mongo",
                f"{APP}:12:3",
                "environment Prod of shop, infrastructure=Mongo",
            ),
        ],
    ),
    Case(
        "two tenants whose ids share their first 7 characters",
        {
            APP: replacing(
                "          - host: shop-dev.test.example\n",
                "          - host: shop-dev.test.example\n"
                f"      - id: {TENANT_2}\n        alias: other\n        hosts:\n"
                "          - host: other-dev.test.example\n",
            )
        },
        [
            twice(f"{APP}:8:13", "Ingress dev-billing-445f8ea", f"{APP}:12:13", f"tenant {TENANT_2} in Dev"),
            twice(f"{APP}:8:13", "Ingress dev-web-445f8ea", f"{APP}:12:13", f"tenant {TENANT_2} in Dev"),
            f"{APP}:8:13: error: in Dev the database '8888888_445f8ea_readmodels' of microservice Audit for"
            f" tenant {TENANT_1} is also the database of microservice Audit for tenant {TENANT_2}"
            f" ({APP}:12:13): {SHARE}",
            twice(f"{APP}:12:13", "Ingress dev-billing-445f8ea", f"{APP}:8:13", f"tenant {TENANT_1} in Dev"),
            twice(f"{APP}:12:13", "Ingress dev-web-445f8ea", f"{APP}:8:13", f"tenant {TENANT_1} in Dev"),
            f"{APP}:12:13: error: in Dev the database '8888888_445f8ea_readmodels' of microservice Audit for"
            f" tenant {TENANT_2} is also the database of microservice Audit for tenant {TENANT_1}"
            f" ({APP}:8:13): {SHARE}",
        ],
    ),
    Case(
        "two Runtimes whose ids share their first 7 characters",
        {ORDERS: microservice("Orders", "7777777f-0000-4000-8000-000000000000", "runtime: {}\n")},
        [
            f"{LEDGER}:4:5: error: in Dev the database '7777777_445f8ea_readmodels' of microservice Ledger for"
            f" tenant {TENANT_1} is also the database of microservice Orders for tenant {TENANT_1}"
            f" ({ORDERS}:4:5): {SHARE}",
            f"{ORDERS}:4:5: error: in Dev the database '7777777_445f8ea_readmodels' of microservice Orders for"
            f" tenant {TENANT_1} is also the database of microservice Ledger for tenant {TENANT_1}"
            f" ({LEDGER}:4:5): {SHARE}",
        ],
    ),
    Case(
        "<env>-<ms> pairs: a-bb in Dev and bb in Dev-a",
        {**with_environment("Dev-a"), **PAIRED},
        [
            *(twice(f"{A_BB}:3:7", t, f"{BB}:3:7", "microservice bb in Dev-a") for t in PAIRED_OBJECTS),
            *(twice(f"{BB}:3:7", t, f"{A_BB}:3:7", "microservice a-bb in Dev") for t in PAIRED_OBJECTS),
        ],
    ),
    Case(
        "<env>-<ms> pairs in different clusters never meet",
        {**with_environment("Dev-a", customer="    cluster: {name: other}\n"), **PAIRED},
    ),
    Case(
        "an environment Shared meets the application's shared Flux Kustomization",
        with_environment("Shared", gitops=True),
        [
            f"{APP}:3:7: error: Kustomization shop-shared in namespace flux-system: rendered twice, also"
            f" from {APP}:6:3 (the delivery of shop/shared)",
            f"{APP}:6:3: error: Kustomization shop-shared in namespace flux-system: rendered twice, also"
            f" from {APP}:3:7 (the delivery of shop/_shared)",
        ],
    ),
    Case(
        "an environment Shared-in-cluster meets the shared Argo CD Application of in-cluster",
        with_environment("Shared-in-cluster", gitops=True),
        [
            f"{APP}:3:7: error: Application shop-shared-in-cluster in namespace argocd: rendered twice,"
            f" also from {APP}:6:3 (the delivery of shop/shared-in-cluster)",
            f"{APP}:6:3: error: Application shop-shared-in-cluster in namespace argocd: rendered twice,"
            f" also from {APP}:3:7 (the delivery of shop/_shared)",
        ],
    ),
    Case(
        "application shop in A-dev meets application shop-a in Dev",
        {
            **with_environment("A-dev", gitops=True),
            SHOP_A: "apiVersion: aigonix.io/v1\nkind: Application\nname: shop-a\n"
            "id: 33333333-2222-4222-8222-222222222222\nenvironments:\n  Dev:\n    tenants:\n"
            "      - id: 66666666-0000-4000-8000-000000000000\n        alias: default\n",
        },
        [
            f"{SHOP_A}:6:3: error: Application shop-a-dev in namespace argocd: rendered twice, also from"
            f" {APP}:6:3 (the delivery of shop/a-dev)",
            f"{SHOP_A}:6:3: error: Kustomization shop-a-dev in namespace flux-system: rendered twice, also"
            f" from {APP}:6:3 (the delivery of shop/a-dev)",
            f"{APP}:6:3: error: Application shop-a-dev in namespace argocd: rendered twice, also from"
            f" {SHOP_A}:6:3 (the delivery of shop-a/dev)",
            f"{APP}:6:3: error: Kustomization shop-a-dev in namespace flux-system: rendered twice, also"
            f" from {SHOP_A}:6:3 (the delivery of shop-a/dev)",
        ],
    ),
    Case(
        "an IP address as a host",
        {APP: replacing("host: shop-dev.test.example", "host: 10.0.0.1")},
        [
            f"{APP}:11:19: error: Ingress dev-billing-445f8ea {NS}: spec.rules[0].host '10.0.0.1' must be a"
            " DNS name, not an IP address; the same in Ingress dev-web-445f8ea"
        ],
    ),
    Case(
        "an IP address as the host of an HTTPRoute",
        {
            CUSTOMER: replacing(
                "  Dev:\n    production: false\n",
                "  Dev:\n    production: false\n    routes:\n      kind: gateway\n"
                "      gateway: {name: public, namespace: gateways}\n",
            ),
            APP: replacing("host: shop-dev.test.example", "host: 10.0.0.1"),
        },
        [
            f"{APP}:11:19: error: HTTPRoute dev-billing-445f8ea {NS}: spec.hostnames[0] '10.0.0.1' must be a"
            " DNS name, not an IP address; the same in HTTPRoute dev-web-445f8ea"
        ],
    ),
    Case(
        "an ingress path with //",
        {WEB: replacing("path: /\n", "path: /a//b\n")},
        [
            f"{WEB}:14:9: error: Ingress dev-web-445f8ea {NS}: spec.rules[0].http.paths[0].path '/a//b' must"
            " not contain '//'; the same in 2 more objects"
        ],
    ),
    Case(
        "an ingress path with /../",
        {BILLING: replacing("path: /billing", "path: /a/../b")},
        [
            f"{BILLING}:13:9: error: Ingress dev-billing-445f8ea {NS}: spec.rules[0].http.paths[0].path"
            " '/a/../b' must not contain '/../'; the same in 2 more objects"
        ],
    ),
    Case(
        "quantities .inf and -1",
        {
            WEB: replacing(
                "  port: 8080\n",
                "  port: 8080\n  resources:\n    requests:\n      cpu: .inf\n      memory: -1\n",
            )
        },
        [
            f"{WEB}:10:12: error: Deployment dev-web {NS}: resources.requests.cpu 'inf': not a Kubernetes"
            " quantity (a number with an optional suffix such as m, Mi or Gi); the same in Deployment prod-web",
            f"{WEB}:11:15: error: Deployment dev-web {NS}: resources.requests.memory '-1': must not be"
            " negative; the same in Deployment prod-web",
        ],
    ),
    Case(
        "a request over its limit",
        {WEB: replacing("  port: 8080\n", '  port: 8080\n  resources:\n    requests:\n      cpu: "3"\n')},
        [
            f"{WEB}:10:12: error: Deployment dev-web {NS}: resources.requests.cpu '3' must be at most the cpu"
            " limit '2'; the same in Deployment prod-web"
        ],
    ),
    Case(
        "a lone surrogate in an env value",
        {WEB: replacing("LOG_LEVEL: info", 'LOG_LEVEL: "a\\ud800b"')},
        [
            f"{WEB}:16:14: error: ConfigMap dev-web-env-variables {NS}: data.LOG_LEVEL holds a lone"
            " surrogate, a character YAML cannot carry; the same in ConfigMap prod-web-env-variables"
        ],
    ),
    Case(
        "env variables over 1 MiB (one value, three times)",
        {WEB: replacing("LOG_LEVEL: info", f'A: &big "{"x" * 400_000}"\n  B: *big\n  C: *big')},
        [
            f"{WEB}:3:7: error: ConfigMap dev-web-env-variables {NS}: data holds 1200000 bytes, over the"
            " 1 MiB a ConfigMap holds; the same in ConfigMap prod-web-env-variables"
        ],
    ),
    Case(
        "a backup schedule that is no cron schedule",
        {
            APP: replacing(
                "environments:\n  Dev:",
                "eventStore:\n  backup:\n    claimName: backups\n    schedule: a b c d e\nenvironments:\n  Dev:",
            )
        },
        [
            f"{APP}:8:15: error: CronJob dev-mongo-backup {NS}: spec.schedule 'a b c d e': 'a' is not a"
            " minute (0-59, '*', ranges, lists and steps); the same in CronJob prod-mongo-backup"
        ],
    ),
    Case(
        "an ingress class that is no DNS subdomain",
        {CUSTOMER: replacing("className: nginx", "className: Nginx Public")},
        [
            f"{CUSTOMER}:18:18: error: Ingress prod-billing-3333333 {NS}: spec.ingressClassName 'Nginx Public':"
            " not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.'); the same in 3 more objects"
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    assert checked(build(tmp_path, case.edits)) == case.expected


@pytest.mark.parametrize(
    "edits",
    [
        {APP: replacing("name: shop", "name: _delivery")},
        {APP: replacing("name: shop", "name: _shared")},
        with_environment("_shared"),
        with_environment("_delivery"),
    ],
    ids=["application _delivery", "application _shared", "environment _shared", "environment _delivery"],
)
def test_names_cannot_meet_the_tools_own_folders(edits: dict[str, Edit], tmp_path: Path) -> None:
    """``_shared`` and ``_delivery`` start with '_': no application (a DNS label) and no
    environment (a letter first) can be named so; the check needs no rule of its own."""
    problems = refused(build(tmp_path, edits))
    assert any(
        "is not a valid application name" in p or "is not a valid environment name" in p for p in problems
    )


def test_a_quantity_that_is_no_number_is_refused_by_the_schema(tmp_path: Path) -> None:
    edits = {
        WEB: replacing("  port: 8080\n", "  port: 8080\n  resources:\n    requests:\n      cpu: 1.5.5\n")
    }
    assert [p.split(": error: ")[1].split(":")[0] for p in refused(build(tmp_path, edits))] == [
        "'1.5.5' is not a valid Kubernetes quantity"
    ]


def test_one_output_path_written_twice_is_reported_at_its_folder(tmp_path: Path) -> None:
    """Render never writes one path twice (its names differ where its paths would); the
    check says so at the folder's source if it ever does."""
    validation = validated(BASE)
    rendering = rendered(validation)
    copy = next(f for f in rendering.files if f.path == "shop/dev/kustomization.yaml")
    twice_written = Rendering((*rendering.files, replace(copy)), rendering.secrets)
    problems = check_rendering(twice_written, build_model(validation.tree), validation.tree)
    assert [p.text() for p in problems] == [f"{APP}:6:3: error: shop/dev/kustomization.yaml: written twice"]


# --- Secrets, checked when they are built ---------------------------------------------------------


def test_a_pull_secret_over_1_mib_is_refused_before_it_is_encrypted() -> None:
    validation = validated(BASE)
    pending = next(s for s in rendered(validation).secrets if s.docker_server)
    config = docker_config("testcustomer.azurecr.io", "user", "p" * 500_000)
    text = secret_text(Templates(), pending, {".dockerconfigjson": config}, "")
    problem = check_secret_size(pending.source, text)
    assert problem is not None
    assert problem.text() == (
        "registry.sops.yaml:1:1: error: the Secret acr would hold 1166757 bytes, over the 1 MiB a Secret holds"
    )
    assert "ppp" not in problem.text()


def test_a_secret_within_1_mib_passes_and_one_yaml_cannot_carry_is_refused() -> None:
    validation = validated(BASE)
    pending = next(s for s in rendered(validation).secrets if not s.docker_server)
    values = {key: "v" * 1000 for key in pending.keys}
    assert check_secret_size(pending.source, secret_text(Templates(), pending, values, "")) is None
    broken = secret_text(Templates(), pending, {key: "a\ud800" for key in pending.keys}, "")
    problem = check_secret_size(pending.source, broken)
    assert problem == Problem(
        pending.source, 1, 1, "a value of this Secret holds characters YAML cannot carry"
    )


# --- the canonical reader against libyaml ------------------------------------------------------------


# An argument whose lines look like the blocks the check searches for (it must not read them).
DECOY = "labels:\n  bad key!: x\nresources:\n  limits:\n    cpu: -1\n"


def hostile_edits() -> dict[str, Edit]:
    values = "".join(
        f"  HOSTILE_{i:02d}: {json.dumps(v, ensure_ascii=False)}\n" for i, v in enumerate(HOSTILE_VALUES)
    )
    command = f"  command: [sh, -c, {json.dumps(DECOY)}]\n"
    return {
        WEB: lambda text: text.replace("env:\n  LOG_LEVEL: info\n", "env:\n" + values).replace(
            "  port: 8080\n", "  port: 8080\n" + command
        )
    }


def test_hostile_values_are_no_problem(tmp_path: Path) -> None:
    """Values that look like YAML, keys or blocks are what they are: strings in a ConfigMap
    and in a container's command."""
    assert checked(build(tmp_path, hostile_edits())) == []


def reading_trees(tmp_path: Path) -> Iterator[Path]:
    yield SAMPLE
    yield BASE
    yield build(tmp_path / "hostile", hostile_edits())
    for index, case in enumerate(CASES):
        yield build(tmp_path / f"case-{index}", case.edits)


def test_render_writes_every_object_in_the_canonical_style(tmp_path: Path) -> None:
    """Each object is read from its head, never by the slow path: a template written
    otherwise would cost the check seconds, so it fails here first."""
    for root in (SAMPLE, build(tmp_path, hostile_edits())):
        for file in rendered(validated(root)).objects:
            assert read_object(file.path, file.text).data is None, file.path


def test_the_canonical_reader_agrees_with_libyaml(tmp_path: Path) -> None:
    """The fast reading gives the objects, and every finding of every rule, libyaml's does."""
    for root in reading_trees(tmp_path):
        for file in rendered(validated(root)).objects:
            fast = read_object(file.path, file.text)
            slow = object_from_data(file.path, read_libyaml(file.text), file.text)
            assert (fast.group, fast.kind, fast.name, fast.namespace) == (
                slow.group,
                slow.kind,
                slow.name,
                slow.namespace,
            )
            assert fast.labels == slow.labels, file.path
            assert read_whole(file.text) == yaml.load(file.text, Loader=yaml.SafeLoader), file.path
            assert findings(fast) == findings(slow), file.path


def findings(obj: RenderedObject) -> Counter[Finding]:
    rules = (name_rules, block_rules, kind_rules)
    return Counter(f for rule in (*rules, size_rules, string_rules) for f in rule(obj))


@settings(max_examples=60, deadline=None, database=None)
@given(st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30)), st.sampled_from([0, 2, 4, 8]))
def test_the_reader_reads_back_every_scalar_yaml_text_writes(value: str, indent: int) -> None:
    from aigonix_render.foundation.yaml_text import key, scalar

    text = f"{' ' * indent}{key(value or 'k')}: {scalar(value, indent)}\n{' ' * indent}next: x\n"
    note(text)
    assert read_block(text) == {value or "k": value, "next": "x"}
    assert read_block(text) == yaml.load(text, Loader=yaml.SafeLoader)


# --- properties on generated trees ---------------------------------------------------------------------


def oracle(rendering: Rendering) -> list[str]:
    """What breaks on libyaml's reading of every object, by the rules alone, and any
    identity rendered twice into one folder: an independent account of the output."""
    broken = []
    for file in rendering.objects:
        obj = object_from_data(file.path, read_libyaml(file.text), file.text)
        broken += [f"{file.path}: {f.field} {f.message}" for f in findings(obj)]
    identities = Counter(
        (f.path.rpartition("/")[0], body["apiVersion"], body["kind"], body["metadata"]["name"])
        for f in rendering.objects
        for body in [yaml.safe_load(f.text)]
    )
    return broken + [f"twice: {identity}" for identity, count in identities.items() if count > 1]


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_trees())
def test_generated_trees_render_nothing_the_api_server_refuses(tree: dict[str, Any]) -> None:
    """A generated tree validates; then the check finds nothing exactly when nothing is broken."""
    with tempfile.TemporaryDirectory() as folder:
        validation = validated(write_tree(Path(folder) / "tree", tree["files"]))
        rendering = rendered(validation)
        problems = check_rendering(rendering, build_model(validation.tree), validation.tree)
        assert (problems == []) == (oracle(rendering) == []), (problems, oracle(rendering))
        assert all(p.file in tree["files"] for p in problems), problems


BREAKS: dict[str, Callable[[str], dict[str, Edit]]] = {
    "host": lambda value: {APP: replacing("host: shop-dev.test.example", f"host: {value}")},
    "path": lambda value: {WEB: replacing("path: /\n", f"path: {value}\n")},
    "cpu": lambda value: {
        WEB: replacing("  port: 8080\n", f"  port: 8080\n  resources:\n    limits:\n      cpu: {value}\n")
    },
    "microservice": lambda value: {
        f"applications/shop/microservices/{value}/aigonix.yaml": microservice(
            value, "99999999-9999-4999-8999-999999999999"
        )
    },
}
BROKEN = st.one_of(
    st.tuples(st.just("host"), st.sampled_from(["10.0.0.1", "192.168.001.010", "1.2.3.4"])),
    st.tuples(st.just("path"), st.sampled_from(["/a//b", "/a/./b", "/a/../b", "/a/..", "/a/.", "//"])),
    st.tuples(st.just("cpu"), st.sampled_from(["-1", ".inf", "-.5", ".nan", "-0.1m"])),
    st.tuples(st.just("microservice"), st.just("mongo")),
)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(BROKEN)
def test_a_tree_that_breaks_a_rule_is_refused_at_its_input(broken: tuple[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = build(Path(folder), BREAKS[broken[0]](broken[1]))
        if refused(root):  # validation said it first
            return
        validation = validated(root)
        rendering = rendered(validation)
        problems = check_rendering(rendering, build_model(validation.tree), validation.tree)
        assert problems and oracle(rendering), (problems, oracle(rendering))
        assert all((root / p.file).is_file() and p.line > 0 for p in problems), problems
