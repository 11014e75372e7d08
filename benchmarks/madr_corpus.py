"""Realistic MADR decisions, made up fast and deterministically from a seed.

Each decision is about one technology (picked with a long-tailed popularity, as real
organisations have a few favourites and many one-offs), weighs it against others of its
kind, and is written in the words architecture decisions use. One in twenty names an
internal codename that appears in at most a few decisions in all: the rare words.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from bisect import bisect
from dataclasses import dataclass, field
from typing import Any

CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # category: (technologies, purposes)
    "messaging": (
        (
            "Kafka",
            "RabbitMQ",
            "Pulsar",
            "NATS",
            "SQS",
            "Kinesis",
            "ActiveMQ",
            "Redpanda",
            "EventBridge",
            "Pub/Sub",
            "ZeroMQ",
            "Artemis",
        ),
        (
            "event streaming",
            "asynchronous messaging",
            "the order events",
            "change data capture",
            "the notification fan-out",
            "integration between services",
        ),
    ),
    "database": (
        (
            "PostgreSQL",
            "MySQL",
            "MariaDB",
            "MongoDB",
            "Cassandra",
            "DynamoDB",
            "CockroachDB",
            "Spanner",
            "SQLite",
            "Oracle",
            "Couchbase",
            "ScyllaDB",
            "Neo4j",
            "TimescaleDB",
        ),
        (
            "the primary datastore",
            "storage of customer records",
            "the ledger",
            "session storage",
            "the product catalogue",
            "audit trails",
        ),
    ),
    "cache": (
        ("Redis", "Memcached", "Hazelcast", "Varnish", "Caffeine", "KeyDB", "Ehcache"),
        ("caching", "rate limiting", "the session cache", "leader election"),
    ),
    "search": (
        ("Elasticsearch", "OpenSearch", "Solr", "Meilisearch", "Typesense", "Vespa", "Algolia"),
        ("full-text search", "log search", "the product search", "autocomplete"),
    ),
    "orchestration": (
        ("Kubernetes", "Nomad", "ECS", "Fargate", "OpenShift", "Swarm", "Lambda", "Knative"),
        ("running services", "batch workloads", "the deployment platform", "autoscaling"),
    ),
    "infrastructure": (
        (
            "Terraform",
            "Pulumi",
            "CloudFormation",
            "Ansible",
            "Crossplane",
            "Chef",
            "Puppet",
            "Helm",
            "Kustomize",
        ),
        ("infrastructure as code", "configuration management", "environment provisioning"),
    ),
    "observability": (
        (
            "Prometheus",
            "Grafana",
            "Datadog",
            "OpenTelemetry",
            "Jaeger",
            "Zipkin",
            "Loki",
            "Sentry",
            "NewRelic",
            "Honeycomb",
            "Splunk",
            "Thanos",
        ),
        ("metrics", "distributed tracing", "alerting", "error tracking", "log aggregation"),
    ),
    "api": (
        (
            "GraphQL",
            "gRPC",
            "REST",
            "OpenAPI",
            "AsyncAPI",
            "tRPC",
            "SOAP",
            "JSON:API",
            "Protobuf",
            "Avro",
        ),
        ("the public API", "service-to-service calls", "the mobile backend", "partner integration"),
    ),
    "frontend": (
        (
            "React",
            "Vue",
            "Angular",
            "Svelte",
            "SolidJS",
            "HTMX",
            "Next.js",
            "Remix",
            "Astro",
            "Ember",
        ),
        ("the web frontend", "the admin console", "the design system", "server-side rendering"),
    ),
    "language": (
        (
            "Go",
            "Rust",
            "Kotlin",
            "Java",
            "Python",
            "TypeScript",
            "Scala",
            "Elixir",
            "C#",
            "Ruby",
            "Swift",
            "Clojure",
        ),
        ("new backend services", "the data pipelines", "command line tools", "the SDKs"),
    ),
    "data": (
        (
            "Spark",
            "Flink",
            "Airflow",
            "Dagster",
            "dbt",
            "Snowflake",
            "BigQuery",
            "Redshift",
            "ClickHouse",
            "Druid",
            "Pinot",
            "Trino",
            "Iceberg",
            "Delta Lake",
            "Beam",
        ),
        ("the data warehouse", "stream processing", "batch ETL", "analytics", "the feature store"),
    ),
    "security": (
        (
            "Vault",
            "Keycloak",
            "Okta",
            "Auth0",
            "OAuth2",
            "OpenID Connect",
            "SAML",
            "mTLS",
            "SPIFFE",
            "OPA",
            "Cedar",
            "WebAuthn",
        ),
        (
            "secrets management",
            "single sign-on",
            "authorization policies",
            "service identity",
            "customer login",
        ),
    ),
    "delivery": (
        (
            "GitHub Actions",
            "GitLab CI",
            "Jenkins",
            "CircleCI",
            "ArgoCD",
            "Flux",
            "Spinnaker",
            "Tekton",
            "Bazel",
            "Gradle",
            "Buildkite",
        ),
        ("continuous integration", "continuous delivery", "release automation", "builds"),
    ),
    "networking": (
        (
            "Envoy",
            "Istio",
            "Linkerd",
            "NGINX",
            "HAProxy",
            "Traefik",
            "Cloudflare",
            "Fastly",
            "Consul",
            "Cilium",
            "Kong",
        ),
        ("the service mesh", "the API gateway", "ingress", "edge caching", "service discovery"),
    ),
    "workflow": (
        (
            "Temporal",
            "Camunda",
            "Zeebe",
            "Celery",
            "Sidekiq",
            "Step Functions",
            "Conductor",
            "Argo Workflows",
        ),
        ("long-running workflows", "background jobs", "the order saga", "scheduled tasks"),
    ),
    "architecture": (
        (
            "event sourcing",
            "CQRS",
            "hexagonal architecture",
            "microservices",
            "a modular monolith",
            "domain-driven design",
            "the outbox pattern",
            "sagas",
            "feature flags",
            "trunk-based development",
            "blue-green deployments",
            "canary releases",
            "multi-tenancy",
            "cell-based architecture",
        ),
        (
            "the checkout domain",
            "the billing platform",
            "new services",
            "the core platform",
            "team autonomy",
        ),
    ),
}

QUALITIES = (
    "latency",
    "throughput",
    "availability",
    "durability",
    "consistency",
    "scalability",
    "cost",
    "operability",
    "security",
    "compliance",
    "portability",
    "maintainability",
    "observability",
    "resilience",
    "performance",
    "simplicity",
    "vendor lock-in",
    "developer experience",
    "time to market",
    "data locality",
    "recovery time",
)
DRIVERS = (
    "Low operational overhead",
    "The team already knows it",
    "Managed offering available",
    "Predictable cost at our scale",
    "Strong consistency guarantees",
    "Mature ecosystem",
    "Horizontal scalability",
    "Regulatory requirements on data residency",
    "Support for multiple regions",
    "Good client libraries for our languages",
    "Open source licence",
    "Vendor support contract",
    "Integrates with our identity provider",
    "Fits the existing deployment pipeline",
    "Clear upgrade path",
    "Low latency at p99",
    "Handles our peak of ten times normal traffic",
    "Minimal changes to existing services",
)
CONTEXT = (
    "Our {purpose} currently runs on {other}, and {quality} has become a problem as traffic grew.",
    "Teams asked for a standard way to handle {purpose}; today every service picks its own tool.",
    "The incident review of last quarter showed that {quality} of {purpose} is our weakest point.",
    "We expect the number of tenants to triple next year, which {other} will not sustain.",
    "Several teams evaluated {tech} for {purpose} and reported good results in production pilots.",
    "Licensing and support costs of {other} are rising and the contract ends next year.",
    "On-call engineers spend too much time on {purpose}, mostly because of poor {quality}.",
    "A new compliance requirement affects how we handle {purpose} across regions.",
    "The platform team wants fewer technologies to operate, and {purpose} uses three today.",
    "Customers reported slow responses, and profiling pointed at {purpose}.",
    "Migration away from the legacy data centre forces a decision on {purpose}.",
)
GOOD = (
    "well supported by the platform team",
    "proven at our scale by other companies",
    "good {quality}",
    "simple to operate",
    "strong community and documentation",
    "fits our existing tooling",
    "cheap to run",
    "easy to test locally",
    "managed by the cloud provider",
    "supports multi-region replication",
    "clear upgrade path",
    "rich client libraries",
)
BAD = (
    "one more system to run",
    "few people here know it",
    "weak {quality} under load",
    "licence costs grow with usage",
    "vendor lock-in",
    "immature tooling",
    "migration effort for existing services",
    "limited support for multi-tenancy",
    "operational complexity",
    "hard to debug in production",
    "requires specialised skills",
)
JUSTIFICATION = (
    "it meets every driver at the lowest cost",
    "it is the only option with acceptable {quality}",
    "the team already operates it and it scales to our needs",
    "it gives the best {quality} for {purpose}",
    "it removes a technology from our stack",
    "the pilot showed it handles our peak load",
)
TITLES = (
    "Use {tech} for {purpose}",
    "Adopt {tech} for {purpose}",
    "Replace {other} with {tech}",
    "Standardise on {tech} for {purpose}",
    "Move {purpose} from {other} to {tech}",
    "Choose {tech} over {other} for {purpose}",
    "Introduce {tech}",
    "Keep {other} for {purpose}",
)
TEAMS = (
    "Platform team",
    "Security team",
    "Data team",
    "SRE",
    "Architecture board",
    "Payments team",
    "Mobile team",
    "Frontend guild",
    "Compliance",
    "Customer support",
    "Finance",
)
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Barbara",
    "Ken",
    "Dennis",
    "Margaret",
    "Edsger",
    "Donald",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Vint",
    "Bjarne",
    "Guido",
    "James",
    "Anders",
    "Leslie",
    "Shafi",
    "Tony",
    "Niklaus",
    "Adele",
    "Hedy",
    "Katherine",
    "Dorothy",
    "Jean",
    "Sophie",
    "Yukihiro",
    "Rob",
    "Brian",
    "Ward",
    "Kent",
    "Martin",
    "Rebecca",
    "Sandi",
    "Gregor",
    "Eric",
    "Michael",
    "Ines",
    "Olga",
    "Pavel",
    "Priya",
    "Chen",
    "Amara",
    "Tariq",
    "Lucia",
    "Mateo",
    "Freya",
    "Noor",
    "Kwame",
    "Aiko",
    "Bruno",
    "Zofia",
    "Rashid",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Ritchie",
    "Hamilton",
    "Dijkstra",
    "Knuth",
    "Allen",
    "McCarthy",
    "Perlman",
    "Berners-Lee",
    "Cerf",
    "Stroustrup",
    "Rossum",
    "Gosling",
    "Hejlsberg",
    "Lamport",
    "Goldwasser",
    "Hoare",
    "Wirth",
    "Goldberg",
    "Lamarr",
    "Johnson",
    "Vaughan",
    "Bartik",
    "Wilson",
    "Matsumoto",
    "Pike",
    "Kernighan",
    "Cunningham",
    "Beck",
    "Fowler",
    "Parsons",
    "Metz",
    "Hohpe",
    "Evans",
    "Nygard",
    "Okafor",
    "Novak",
    "Sharma",
    "Wei",
    "Mensah",
    "Haddad",
    "Moreno",
    "Lindqvist",
    "Rahman",
    "Tanaka",
    "Costa",
    "Kowalska",
    "Petrov",
    "Nakamura",
    "Silva",
    "Andersen",
)
AREAS = (
    "backend",
    "frontend",
    "data",
    "infra",
    "security",
    "mobile",
    "payments",
    "platform",
    "compliance",
    "developer-experience",
    "reliability",
    "cost",
)
STATUSES = (
    ("accepted", 55),
    ("proposed", 15),
    ("rejected", 10),
    ("deprecated", 8),
    ("superseded", 12),
)
_SYLLABLES = (
    "ka",
    "zo",
    "ri",
    "mu",
    "te",
    "lax",
    "vor",
    "qui",
    "ben",
    "dra",
    "fel",
    "gon",
    "hy",
    "jun",
    "ko",
    "lir",
    "nox",
    "pra",
    "sul",
    "tev",
    "ul",
    "wex",
    "yra",
    "zen",
)


@dataclass(frozen=True, slots=True)
class Technology:
    name: str
    category: str
    tag: str


def _tag_of(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


TECHNOLOGIES = tuple(
    Technology(name, category, _tag_of(name))
    for category, (names, _) in CATEGORIES.items()
    for name in names
)


@dataclass(slots=True)
class GeneratedDecision:
    number: int
    title: str
    status: str
    date: dt.date
    decision_makers: list[str]
    consulted: list[str]
    informed: list[str]
    tags: list[str]
    content: dict[str, Any]
    review_by: dt.date | None
    # Filled in per log once every status is known.
    links: list[dict[str, str]] = field(default_factory=list)
    # The rare word it names, if any.
    codename: str | None = None


class Corpus:
    """The vocabulary of one seed: people, codenames, and the technologies' popularity."""

    def __init__(self, seed: int, people: int = 4000, codenames: int = 60_000) -> None:
        rng = random.Random(seed)
        self.seed = seed
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(names)
        self.people = names[:people]
        self.codenames = sorted({self._codename(rng) for _ in range(codenames)})
        rng.shuffle(self.codenames)
        order = list(TECHNOLOGIES)
        rng.shuffle(order)
        # Zipf-like popularity: the first technology is about 50 times the 200th.
        self.technologies = order
        self._weights = list(itertools.accumulate(1 / (rank + 3) for rank in range(len(order))))
        self._status_weights = list(itertools.accumulate(w for _, w in STATUSES))

    @staticmethod
    def _codename(rng: random.Random) -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(3 + rng.randrange(2)))

    def technology(self, rng: random.Random) -> Technology:
        return self.technologies[bisect(self._weights, rng.random() * self._weights[-1])]

    def status(self, rng: random.Random) -> str:
        return STATUSES[bisect(self._status_weights, rng.random() * self._status_weights[-1])][0]

    def decision(
        self, rng: random.Random, number: int, members: list[str], status: str, day: dt.date
    ) -> GeneratedDecision:
        tech = self.technology(rng)
        names, purposes = CATEGORIES[tech.category]
        others = [n for n in rng.sample(names, min(4, len(names))) if n != tech.name][:3]
        other = others[0]
        purpose = rng.choice(purposes)
        quality = rng.choice(QUALITIES)
        words = {"tech": tech.name, "other": other, "purpose": purpose, "quality": quality}
        title = rng.choice(TITLES).format(**words)
        title = title[0].upper() + title[1:]
        context = " ".join(rng.choice(CONTEXT).format(**words) for _ in range(2 + rng.randrange(3)))
        options = [
            {
                "title": name,
                "description": "",
                "good": [
                    f"Good, because {rng.choice(GOOD).format(**words)}"
                    for _ in range(1 + rng.randrange(2))
                ],
                "neutral": [],
                "bad": [
                    f"Bad, because {rng.choice(BAD).format(**words)}"
                    for _ in range(rng.randrange(3))
                ],
            }
            for name in [tech.name, *others[: 1 + rng.randrange(3)]]
        ]
        more = ""
        codename = None
        if rng.random() < 0.05:
            codename = self.codenames[rng.randrange(len(self.codenames))]
            more = f"Tracked in project {codename}; see the design document of {codename}."
        content = {
            "context": context,
            "drivers": rng.sample(DRIVERS, 2 + rng.randrange(3)),
            "options": options,
            "outcome": {
                "chosen": tech.name,
                "justification": rng.choice(JUSTIFICATION).format(**words),
            },
            "consequences": {
                "good": [f"Good, because {rng.choice(GOOD).format(**words)}"],
                "neutral": [],
                "bad": [f"Bad, because {rng.choice(BAD).format(**words)}"],
            },
            "confirmation": "Reviewed in the architecture round." if rng.random() < 0.3 else "",
            "more_information": more,
            "extra_sections": [],
            "extra_metadata": [],
        }
        makers = rng.sample(members, min(len(members), 1 + rng.randrange(3)))
        tags = sorted({tech.tag, tech.category, rng.choice(AREAS)})
        return GeneratedDecision(
            number=number,
            title=title,
            status=status,
            date=day,
            decision_makers=makers,
            consulted=rng.sample(TEAMS, rng.randrange(3)),
            informed=["Engineering"] if rng.random() < 0.4 else [],
            tags=tags,
            content=content,
            review_by=day + dt.timedelta(days=730) if status == "accepted" else None,
            codename=codename,
        )
