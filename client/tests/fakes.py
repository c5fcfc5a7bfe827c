"""Fakes the client's unit tests share."""


class Idp:
    """A Cognito client whose answers are scripted in order; every call recorded."""

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    def _next(self, op, kw):
        self.calls.append((op, kw))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def initiate_auth(self, **kw):
        return self._next("initiate_auth", kw)

    def respond_to_auth_challenge(self, **kw):
        return self._next("respond", kw)

    def revoke_token(self, **kw):
        return self._next("revoke", kw)

    def associate_software_token(self, **kw):
        return self._next("associate", kw)

    def verify_software_token(self, **kw):
        return self._next("verify", kw)
