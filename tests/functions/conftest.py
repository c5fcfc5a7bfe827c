"""Fixtures for the two handlers: the modules, signing keys, a loopback JWKS server, tokens, emulated AWS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tools import handlers

REGION = "us-east-1"
POOL = f"{REGION}_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT_ID = "5example0client0id0abcdefg"
METHOD_ARN = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a"


def load_function(folder: str):
    """Load ``functions/<folder>/app.py`` under its own module name (both files are ``app.py``)."""
    return handlers.load(folder)


@pytest.fixture(scope="session")
def authorizer():
    return load_function("authorizer")


@pytest.fixture(scope="session")
def presigned():
    return load_function("presigned_url")


# ---------------------------------------------------------------------------- keys and tokens


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


@dataclass
class Key:
    kid: str
    private: object
    alg: str = "RS256"

    @property
    def public(self):
        return self.private.public_key()

    def jwk(self, with_alg: bool = True) -> dict:
        numbers = self.public.public_numbers()
        if isinstance(self.private, rsa.RSAPrivateKey):
            data = {"kty": "RSA", "n": b64(_int_bytes(numbers.n)), "e": b64(_int_bytes(numbers.e))}
        else:
            size = (self.private.curve.key_size + 7) // 8
            data = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x.to_bytes(size, "big")), "y": b64(numbers.y.to_bytes(size, "big"))}
        data.update({"kid": self.kid, "use": "sig"})
        if with_alg:
            data["alg"] = self.alg
        return data

    def signature(self, signing_input: bytes) -> bytes:
        """The JWS signature, made with cryptography (independently of the library under test)."""
        digest = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}[self.alg[2:]]()
        if self.alg.startswith("RS"):
            return self.private.sign(signing_input, padding.PKCS1v15(), digest)
        if self.alg.startswith("PS"):
            return self.private.sign(signing_input, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
        r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(digest)))
        size = (self.private.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def public_pem(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


_RSA_CACHE: dict[str, object] = {}


def rsa_key(kid: str, alg: str = "RS256") -> Key:
    if kid not in _RSA_CACHE:
        _RSA_CACHE[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Key(kid, _RSA_CACHE[kid], alg)


def ec_key(kid: str) -> Key:
    return Key(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")


def cognito_claims(username: str = "user-lob-a", **overrides) -> dict:
    """Claims shaped like a Cognito access token's."""
    now = int(time.time())
    claims = {
        "sub": "0a1b2c3d-1111-2222-3333-444455556666",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 10,
        "exp": now + 3600,
        "iat": now - 10,
        "jti": str(uuid.uuid4()),
        "username": username,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def sign(key: Key, claims, headers: dict | None = None) -> str:
    """A compact JWS over any payload (bytes, or claims as JSON), signed by ``key``."""
    payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    header = {"alg": key.alg, "typ": "JWT", "kid": key.kid, **(headers or {})}
    signing_input = f"{b64json(header)}.{b64(payload)}"
    return f"{signing_input}.{b64(key.signature(signing_input.encode()))}"


def raw_token(header: dict, payload: dict, signature: bytes = b"sig") -> str:
    """A token assembled by hand (for what libraries refuse to produce)."""
    return f"{b64json(header)}.{b64json(payload)}.{b64(signature)}"


def hs256_with_public_key(key: Key, claims: dict) -> str:
    """Algorithm confusion: HMAC-SHA256 keyed with the RSA public key's PEM."""
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{b64json(claims)}"
    mac = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


# ---------------------------------------------------------------------------- a loopback JWKS server


@dataclass
class JwksServer:
    url: str = ""
    keys: list = field(default_factory=list)
    hits: int = 0
    status: int = 200
    body: bytes | None = None  # raw body instead of the key set
    redirect_to: str | None = None
    delay: float = 0.0  # seconds before answering

    def set_keys(self, *keys: Key, with_alg: bool = True) -> None:
        self.keys = [k.jwk(with_alg) for k in keys]

    def reset(self) -> None:
        self.keys, self.hits, self.status, self.body, self.redirect_to, self.delay = [], 0, 200, None, None, 0.0


@pytest.fixture(scope="session")
def jwks_server():
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            state.hits += 1
            if state.delay:
                time.sleep(state.delay)
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            body = state.body if state.body is not None else json.dumps({"keys": state.keys}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{POOL}/.well-known/jwks.json"
    yield state
    server.shutdown()


@pytest.fixture
def key() -> Key:
    return rsa_key("key-1")


@pytest.fixture
def auth_env(monkeypatch, authorizer, jwks_server, key):
    """The authorizer configured like the Cognito stack, its keys on the loopback server."""
    jwks_server.reset()
    jwks_server.set_keys(key)
    for name in ("AUDIENCE", "TOKEN_USE", "USERNAME_CLAIM", "LEEWAY_SECONDS", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("JWKS_URL", jwks_server.url)
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", f"other-client, {CLIENT_ID}")
    handlers.reset("authorizer")
    yield monkeypatch
    handlers.reset("authorizer")


def auth_event(authorization: str | None = None, *, headers: dict | None = None, multi: dict | None = None, method_arn: str = METHOD_ARN) -> dict:
    """A REST API REQUEST authorizer event."""
    if headers is None:
        headers = {"Authorization": authorization} if authorization is not None else {}
    if multi is None:
        multi = {k: [v] for k, v in headers.items()}
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": "/{user_id}",
        "path": "/user-lob-a",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": multi,
        "pathParameters": {"user_id": "user-lob-a"},
        "requestContext": {"stage": "dev", "requestId": str(uuid.uuid4())},
    }


# ---------------------------------------------------------------------------- emulated AWS for the presigned-URL function

LOB_A, LOB_B, LOB_C = "111111111111", "222222222222", "333333333333"
ROLE_NAME = "SagemakerStudioAccessRole"


@dataclass
class Call:
    service: str
    operation: str
    params: dict


@dataclass
class World:
    """moto's DynamoDB, STS and SageMaker, plus a CreatePresignedDomainUrl answered at the botocore level."""

    calls: list = field(default_factory=list)
    profiles: dict = field(default_factory=dict)  # (account, domain id) -> {profile names}
    presigned: list = field(default_factory=list)  # what CreatePresignedDomainUrl received (with the role)
    overrides: dict = field(default_factory=dict)  # "service.Operation" -> fn(params) -> (status, parsed) or None
    domains: dict = field(default_factory=dict)  # (account, name) -> domain id
    clients: dict = field(default_factory=dict)

    def client(self, service: str, account: str | None = None):
        """A setup client (the test's, not the function's), built once per account."""
        if (service, account) not in self.clients:
            extra = {}
            if account:
                creds = self.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="setup")["Credentials"]
                extra = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}
            self.clients[(service, account)] = _setup_session().client(service, region_name=REGION, **extra)
        return self.clients[(service, account)]

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    def put_user(self, username: str, lob: str | None, profile: str | None = None, **extra) -> None:
        item = {"PK": {"S": username}, **{k: {"S": v} for k, v in extra.items()}}
        if lob is not None:
            item["LOB"] = {"S": lob}
        if profile is not None:
            item["PROFILE"] = {"S": profile}
        self._dynamodb().put_item(TableName="users-map-table", Item=item)

    def put_lob(self, lob: str, account: str | None, domain_id: str | None = None) -> None:
        item = {"PK": {"S": lob}}
        if account is not None:
            item["ACCOUNT_ID"] = {"S": account}
        if domain_id is not None:
            item["DOMAIN_ID"] = {"S": domain_id}
        self._dynamodb().put_item(TableName="lobs-map-table", Item=item)

    def create_domain(self, account: str, name: str, profiles=()) -> str:
        arn = self.client("sagemaker", account).create_domain(
            DomainName=name, AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["subnet-1"], VpcId="vpc-1"
        )["DomainArn"]
        domain_id = arn.rsplit("/", 1)[1]
        self.domains[(account, name)] = domain_id
        self.profiles[(account, domain_id)] = set(profiles)
        return domain_id

    def set_domain_status(self, account: str, domain_id: str, status: str) -> None:
        from moto.sagemaker.models import sagemaker_backends

        sagemaker_backends[account][REGION].domains[domain_id].status = status

    def _dynamodb(self):
        return self.client("dynamodb")


_SETUP_SESSION = None


def _setup_session():
    """One boto3 session for the tests' own setup calls (parsing service models once), made
    before the per-test hooks are added, so its clients are neither recorded nor faked."""
    global _SETUP_SESSION
    if _SETUP_SESSION is None:
        import boto3

        _SETUP_SESSION = boto3.session.Session(region_name=REGION)
    return _SETUP_SESSION


def _error(status: int, code: str, message: str = "refused"):
    from botocore.awsrequest import AWSResponse

    return AWSResponse("https://aws.invalid", status, {}, None), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }


def _create_presigned_domain_url(world: World, request_signer, params: dict):
    """What SageMaker would answer, given the caller's (moto) role credentials."""
    from botocore.awsrequest import AWSResponse
    from moto.sagemaker.models import sagemaker_backends
    from moto.sts.models import sts_backends

    access_key = request_signer._credentials.get_frozen_credentials().access_key
    role = None
    for account in (LOB_A, LOB_B, LOB_C):
        assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
        if assumed is not None:
            role = (account, assumed.role_arn)
    if role is None:
        return _error(400, "AccessDeniedException", "not an assumed LOB role")
    account, role_arn = role
    body = json.loads(params["body"])
    world.presigned.append({"account": account, "role": role_arn, **body})
    domain = body["DomainId"]
    if domain not in sagemaker_backends[account][REGION].domains or body["UserProfileName"] not in world.profiles.get((account, domain), ()):
        return _error(400, "ResourceNotFound", f"User profile {body['UserProfileName']} not found")
    url = f"https://{domain}.studio.{REGION}.sagemaker.aws/auth?token=SECRET-PRESIGNED-TOKEN"
    return AWSResponse("https://aws.invalid", 200, {}, None), {"AuthorizedUrl": url, "ResponseMetadata": {"HTTPStatusCode": 200}}


@pytest.fixture
def aws(monkeypatch, presigned):
    """Tables with the sample's items, LOB A's domain with its profile, and the function's environment."""
    from botocore import handlers as botocore_handlers
    from moto import mock_aws

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_LAMBDA_FUNCTION_NAME", "SESSION_EXPIRATION_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "USERS_TABLE": "users-map-table",
        "LOBS_TABLE": "lobs-map-table",
        "ACCESS_ROLE_NAME": ROLE_NAME,
        "URL_EXPIRES_SECONDS": "20",
        "CACHE_TTL_SECONDS": "60",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    world = World()

    def record(model, params, **_):
        world.calls.append(Call(model.service_model.service_name, model.name, dict(params)))

    def before_call(model, params, request_signer, **_):
        key = f"{model.service_model.service_name}.{model.name}"
        if key in world.overrides:
            answer = world.overrides[key](params)
            if answer == "http":  # let the request go on to the HTTP layer (retries, before-send)
                return None
            if answer is not None:
                return answer
        if key == "sagemaker.CreatePresignedDomainUrl":
            return _create_presigned_domain_url(world, request_signer, params)
        return None

    added = [("before-parameter-build", record), ("before-call", before_call)]
    _setup_session()
    with mock_aws():
        botocore_handlers.BUILTIN_HANDLERS.extend(added)
        try:
            dynamodb = world.client("dynamodb")
            for table in ("users-map-table", "lobs-map-table"):
                dynamodb.create_table(
                    TableName=table,
                    KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )
            world.put_user("user-lob-a", "lob-a")
            world.put_user("user-lob-b", "lob-b")
            world.put_lob("lob-a", LOB_A)
            world.put_lob("lob-b", LOB_B)
            world.create_domain(LOB_A, "sagemaker-domain-lob-a", profiles=["user-lob-a", "data-scientist"])
            world.create_domain(LOB_B, "sagemaker-domain-lob-b", profiles=["user-lob-b"])
            handlers.reset("presigned_url")
            world.calls.clear()
            yield world
        finally:
            for spec in added:
                botocore_handlers.BUILTIN_HANDLERS.remove(spec)
            handlers.reset("presigned_url")


def fn_event(username: str | None = "user-lob-a", path_user: str | None = None, query: dict | None = None, headers: dict | None = None, multi_query: dict | None = None) -> dict:
    """A REST proxy integration event, with the authorizer's context as API Gateway passes it."""
    authorizer = {"principalId": "sub-1", "integrationLatency": 12, "username": username, "sub": "sub-1", "clientId": CLIENT_ID}
    if username is None:
        authorizer = None
    path_user = username if path_user is None else path_user
    return {
        "resource": "/{user_id}",
        "path": f"/{path_user}",
        "httpMethod": "GET",
        "headers": headers or {"Accept": "text/html"},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query if multi_query is not None else ({k: [v] for k, v in query.items()} if query else None),
        "pathParameters": {"user_id": path_user} if path_user else None,
        "requestContext": {"requestId": "req-" + str(uuid.uuid4()), "stage": "dev", "authorizer": authorizer},
    }
