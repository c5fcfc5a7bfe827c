"""The end-to-end world: moto server on 127.0.0.1, the accounts, the real handlers behind the
test gateway, and the real client's config file. Built once for the module that uses it (a few
seconds); its environment variables and botocore patch end with it."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import boto3
import pytest
from moto.server import ThreadedMotoServer
from studio_access_client import cli

from components import access_role
from contracts import authorizer_env, lambda_env, presigned_url_env, proof
from testkit import env
from testkit.aws import LOBS_TABLE, REGION, USERS_TABLE, create_tables, lob_item, user_item
from testkit.aws import ROLE_NAME as ACCESS_ROLE
from tools import handlers

from .aws import FUNCTION_ROLE, SHARED, Creds, Fakes
from .gateway import Gateway, GatewayServer

TEMPORARY_PASSWORD = "Temporary-Passw0rd!"
PASSWORD = "Correct-Horse-42-Battery!"

# lob -> (account, create a DOMAIN_ID item?, trust of the access role: "function", "other", None = no role)
LOBS = {
    "lob-a": ("222222222222", False, "function"),  # domain found with ListDomains
    "lob-b": ("333333333333", True, "function"),  # DOMAIN_ID in the LOBs table
    "lob-c": ("444444444444", True, "other"),  # the access role trusts someone else
    "lob-d": ("555555555555", True, None),  # no access role at all
}
USERS = {"user-lob-a": "lob-a", "user-lob-b": "lob-b", "user-lob-c": "lob-c", "user-lob-d": "lob-d", "user-nolob": None}
# lob-b's spaces: name -> (sharing type, owner profile)
SPACES = {
    "team-space": ("Shared", "user-lob-b"),
    "bobs-notes": ("Private", "user-lob-b"),
    "someone-elses": ("Private", "data-scientist"),
}


def domain_name(lob: str) -> str:
    """moto makes a domain's id from its name (d-<name>): a 12-character name gives an id shaped
    like SageMaker's (d-xxxxxxxxxxxx), which the function checks in a LOB item's DOMAIN_ID."""
    return f"{lob.replace('-', '')}domain01"


def domain_id(lob: str) -> str:
    return f"d-{domain_name(lob)}"


@dataclass
class World:
    endpoint: str  # moto server
    api_url: str  # the gateway, as the config's apiUrl
    pool_id: str
    client_id: str
    issuer: str
    config: Path
    tmp: Path
    fakes: Fakes
    gateway: Gateway
    admin: Creds  # shared account

    def idp(self) -> Any:
        return self.admin.client("cognito-idp", self.endpoint)

    def client_io(
        self,
        cache: str,
        *,
        secrets: list[str] | None = None,
        stdin: str = "",
        config: Path | None = None,
        browser: Callable[[str], bool] | None = None,
    ) -> cli.Io:
        """The real client's I/O, each user with its own cache directory ("machine")."""
        answers = list(secrets or [])
        return cli.Io(
            env={
                "STUDIO_ACCESS_CONFIG": str(config or self.config),
                "STUDIO_ACCESS_CACHE_DIR": str(self.tmp / "caches" / cache),
            },
            out=io.StringIO(),
            err=io.StringIO(),
            stdin=io.StringIO(stdin),
            getpass=lambda prompt: answers.pop(0),
            input=lambda prompt: answers.pop(0),
            browser=browser or (lambda url: False),
            home=self.tmp / "home",
            platform="linux",
        )

    def run(self, cache: str, *argv: str, **kw: Any) -> tuple[int, str, str]:
        io_ = self.client_io(cache, **kw)
        code = cli.main(list(argv), io_)
        out, err = io_.out.getvalue(), io_.err.getvalue()
        assert "eyJ" not in out + err, "the client printed a token"  # every JWT starts with eyJ
        return code, out, err

    def cache_dir(self, cache: str) -> Path:
        return self.tmp / "caches" / cache

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
        """A raw request to the gateway (no client), redirects not followed."""
        import urllib.error
        import urllib.request

        from studio_access_client.api import _NoRedirect  # the same no-redirect opener

        req = Request(f"{self.api_url}/{path}", headers=headers or {})
        try:
            with urllib.request.build_opener(_NoRedirect()).open(req, timeout=10) as r:
                status, hdrs, body = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as err:
            status, hdrs, body = err.code, dict(err.headers), err.read()
        return status, {k.lower(): v for k, v in hdrs.items()}, json.loads(body or b"{}")


def _setup(endpoint: str, tmp: Path, mp: pytest.MonkeyPatch) -> tuple[dict, Fakes, Creds]:
    bootstrap = Creds("AKIAE2EBOOTSTRAP0001", "bootstrap")  # unknown key: moto's default account
    sts = bootstrap.client("sts", endpoint)

    def creds_in(account: str, role: str) -> Creds:
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="e2e")["Credentials"]
        return Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])

    admin = creds_in(SHARED, "e2e-admin")
    assert sts.get_caller_identity()["Account"] == SHARED

    # Shared account: the Cognito pool, its app client and users; the two tables and their items.
    idp = admin.client("cognito-idp", endpoint)
    pool_id = idp.create_user_pool(
        PoolName="SageMakerPool",
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="studio-access",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for user in USERS:
        idp.admin_create_user(
            UserPoolId=pool_id, Username=user, TemporaryPassword=TEMPORARY_PASSWORD, MessageAction="SUPPRESS"
        )
        if user != "user-lob-a":  # user-lob-a meets the forced password change in the test
            idp.admin_set_user_password(UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True)

    ddb = admin.client("dynamodb", endpoint)
    create_tables(ddb, USERS_TABLE, LOBS_TABLE)
    for user, lob in USERS.items():
        if lob:
            ddb.put_item(TableName=USERS_TABLE, Item=user_item(user, lob))

    # The presigned-URL function's role, whose credentials the handler runs with (Lambda's env).
    admin.client("iam", endpoint).create_role(
        RoleName=FUNCTION_ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    function = creds_in(SHARED, FUNCTION_ROLE)

    # LOB accounts: the access role (trusting the function's role) and the Studio domain.
    admins = {SHARED: admin}
    profiles: dict[tuple[str, str], set[str]] = {}
    function_role_arn = f"arn:aws:iam::{SHARED}:role/{FUNCTION_ROLE}"
    for lob, (account, with_domain_id, trust) in LOBS.items():
        admins[account] = lob_admin = creds_in(account, "e2e-admin")
        ddb.put_item(TableName=LOBS_TABLE, Item=lob_item(lob, account, domain_id(lob) if with_domain_id else None))
        if trust:
            principal = function_role_arn if trust == "function" else f"arn:aws:iam::{SHARED}:role/someone-else"
            lob_admin.client("iam", endpoint).create_role(
                RoleName=ACCESS_ROLE,
                # The trust the LOB stack gives it (components/access_role.py).
                AssumeRolePolicyDocument=json.dumps(
                    {"Version": "2012-10-17", "Statement": [access_role.trust_statement(principal)]}
                ),
            )
        lob_admin.client("sagemaker", endpoint).create_domain(
            DomainName=domain_name(lob),
            AuthMode="IAM",
            AppNetworkAccessType="VpcOnly",
            DefaultUserSettings={"ExecutionRole": f"arn:aws:iam::{account}:role/execution"},
            SubnetIds=["subnet-0e2e"],
            VpcId="vpc-0e2e",
        )
        profiles[(account, domain_id(lob))] = {user for user, of in USERS.items() if of == lob}
    # Spaces of lob-b's domain: shared, user-lob-b's own private one, someone else's private one.
    spaces = {(LOBS["lob-b"][0], domain_id("lob-b"), name): kind for name, kind in SPACES.items()}

    # The proofs' key (components/access_proof.py): the authorizer signs with it in moto's KMS,
    # the presigned-URL function gets its public key.
    kms = admin.client("kms", endpoint)
    key_arn = kms.create_key(KeySpec=proof.KEY_SPEC, KeyUsage=proof.KEY_USAGE, Description="e2e proofs")["KeyMetadata"][
        "Arn"
    ]
    public_key = base64.b64encode(kms.get_public_key(KeyId=key_arn)["PublicKey"]).decode()

    # The functions' environment, as Lambda would give it.
    for key in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        lambda_env.ENDPOINT_URL_STS.name,
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    ):
        mp.delenv(key, raising=False)
    mp.setenv("AWS_CONFIG_FILE", str(tmp / "no-aws-config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-aws-credentials"))
    mp.setenv(lambda_env.ENDPOINT_URL.name, endpoint)  # every client, the functions' too
    mp.setenv(presigned_url_env.AWS_REGION.name, REGION)
    mp.setenv("AWS_DEFAULT_REGION", REGION)
    mp.setenv("AWS_ACCESS_KEY_ID", function.access_key)
    mp.setenv("AWS_SECRET_ACCESS_KEY", function.secret_key)
    mp.setenv("AWS_SESSION_TOKEN", function.token)
    mp.setenv("NO_PROXY", "127.0.0.1,localhost")
    mp.setenv("no_proxy", "127.0.0.1,localhost")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"  # what moto puts in `iss`
    for key in env.names(authorizer_env, presigned_url_env):
        if key != presigned_url_env.AWS_REGION.name:
            mp.delenv(key, raising=False)
    functions_env = {
        **env.of(
            authorizer_env,
            token_issuer=issuer,
            allowed_client_ids=client_id,
            jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json",  # moto's JWKS endpoint
            proof_key_id=key_arn,
            proof_ttl_seconds="120",
        ),
        **env.of(
            presigned_url_env,
            users_table=USERS_TABLE,
            lobs_table=LOBS_TABLE,
            access_role_name=ACCESS_ROLE,
            url_expires_seconds="20",
            proof_public_key=public_key,
        ),
    }
    for key, value in functions_env.items():
        mp.setenv(key, value)
    mp.setattr(boto3, "DEFAULT_SESSION", None)
    fakes = Fakes(endpoint=endpoint, admins=admins, profiles=profiles, spaces=spaces)
    return {"pool_id": pool_id, "client_id": client_id, "issuer": issuer}, fakes, admin


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Any:
    tmp = tmp_path_factory.mktemp("e2e")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # a free port, no race
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    mp = pytest.MonkeyPatch()
    try:
        urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).read()
        ids, fakes, admin = _setup(endpoint, tmp, mp)
        for name in handlers.FOLDERS:
            handlers.reset(name)  # the functions read the environment set above
        authorizer, presigned = handlers.load("authorizer"), handlers.load("presigned_url")
        gateway = Gateway(authorizer.handler, presigned.handler, region=REGION, account=SHARED)
        with fakes.installed(), GatewayServer(gateway) as served:
            config = tmp / "studio-access.json"
            config.write_text(
                json.dumps(
                    {
                        "apiUrl": served.url,
                        "region": REGION,
                        "userPoolId": ids["pool_id"],
                        "clientId": ids["client_id"],
                        "identityProvider": "cognito",
                        "tokenIssuer": ids["issuer"],
                    }
                )
            )
            yield World(
                endpoint=endpoint,
                api_url=served.url,
                config=config,
                tmp=tmp,
                fakes=fakes,
                gateway=gateway,
                admin=admin,
                **ids,
            )
    finally:
        for name in handlers.FOLDERS:
            handlers.reset(name)
        mp.undo()
        try:
            urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).read()
        finally:
            server.stop()
