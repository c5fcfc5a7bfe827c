/* The sign-in page of studio-access: sign in (authorization code flow with PKCE, S256), list
   what the person may open, open it in one click.

   - Tokens live in this script's memory only: never in localStorage, sessionStorage, cookies
     or the URL. A reload signs the person in again (the identity provider's own session makes
     that one click).
   - The one thing that must outlive the round trip to the identity provider is the sign-in
     attempt itself (state, nonce, PKCE verifier): it waits in sessionStorage, is removed the
     moment the provider sends the browser back, and is never a token.
   - The callback is refused unless its state is the one this tab sent; the ID token is refused
     unless its nonce, issuer, audience and expiry are right; the code is exchanged with the
     verifier, so a code without it is worthless.
   - The access service verifies the access token itself (the authorizer); this page only reads
     the username from it to build the path.

   Inlined by components/site with its CSP hash. No number signs or dollar signs anywhere
   (API Gateway serves the page through a VTL template). */
(function () {
  'use strict';

  var PENDING_KEY = 'studio-access.sign-in-attempt';
  var ATTEMPT_MAX_AGE_MS = 10 * 60 * 1000;

  var config = JSON.parse(document.getElementById('studio-access-config').textContent);
  var redirectUri = window.location.origin + config.basePath;

  // The only place tokens are kept.
  var memory = { accessToken: null, username: null };

  var el = {
    status: document.getElementById('status'),
    signInBox: document.getElementById('sign-in-box'),
    signIn: document.getElementById('sign-in'),
    who: document.getElementById('who'),
    username: document.getElementById('username'),
    signOut: document.getElementById('sign-out'),
    targets: document.getElementById('targets')
  };

  function setStatus(text, kind) {
    el.status.textContent = text;
    el.status.className = 'status' + (kind ? ' ' + kind : '');
    el.status.setAttribute('data-kind', kind || 'info');
  }

  function showSignIn(text, kind) {
    memory.accessToken = null;
    memory.username = null;
    el.who.hidden = true;
    el.targets.hidden = true;
    el.targets.textContent = '';
    el.signInBox.hidden = false;
    el.signIn.disabled = false;
    setStatus(text, kind);
  }

  // ------------------------------------------------------------------ encoding helpers

  function base64url(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+/g, '');
  }

  function randomString(size) {
    return base64url(crypto.getRandomValues(new Uint8Array(size)));
  }

  function sha256(text) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (digest) {
      return new Uint8Array(digest);
    });
  }

  function claimsOf(token) {
    var parts = String(token || '').split('.');
    if (parts.length !== 3) {
      throw new Error('not a JWT');
    }
    var b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) {
      b64 += '=';
    }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    var claims = JSON.parse(new TextDecoder().decode(bytes));
    if (!claims || typeof claims !== 'object') {
      throw new Error('claims are not an object');
    }
    return claims;
  }

  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null) {
        search.set(key, params[key]);
      }
    });
    return search.toString();
  }

  // ------------------------------------------------------------------ sign-in

  function startSignIn() {
    el.signIn.disabled = true;
    setStatus('Taking you to the sign-in page...');
    var attempt = { state: randomString(24), nonce: randomString(24), verifier: randomString(48), at: Date.now() };
    sha256(attempt.verifier).then(function (digest) {
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(attempt));
      window.location.assign(config.authorizeUrl + '?' + query({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: redirectUri,
        scope: config.scopes,
        state: attempt.state,
        nonce: attempt.nonce,
        code_challenge: base64url(digest),
        code_challenge_method: 'S256'
      }));
    }).catch(function () {
      showSignIn('This browser cannot start a secure sign-in (Web Crypto is unavailable).', 'error');
    });
  }

  function takeAttempt() {
    var stored = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    if (!stored) {
      return null;
    }
    try {
      return JSON.parse(stored);
    } catch (e) {
      return null;
    }
  }

  function refuse(why) {
    showSignIn('Sign-in refused: ' + why + ' Nothing was signed in. Sign in again.', 'error');
  }

  function checkIdToken(idToken, attempt) {
    var claims = claimsOf(idToken);
    var audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== config.issuer) {
      return 'the ID token comes from another issuer.';
    }
    if (audiences.indexOf(config.clientId) < 0) {
      return 'the ID token was issued to another application.';
    }
    if (typeof claims.nonce !== 'string' || claims.nonce !== attempt.nonce) {
      return 'the ID token does not answer this sign-in (nonce).';
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      return 'the ID token has expired.';
    }
    return null;
  }

  function finishSignIn(params) {
    // The code and state leave the address bar and the history at once.
    window.history.replaceState(null, '', redirectUri);
    var attempt = takeAttempt();
    if (params.get('error')) {
      var detail = params.get('error_description') || params.get('error');
      return refuse('the identity provider answered "' + detail + '".');
    }
    if (!attempt || typeof attempt.state !== 'string') {
      return refuse('this page did not start that sign-in.');
    }
    if (params.get('state') !== attempt.state) {
      return refuse('the answer does not belong to the sign-in this page started (state).');
    }
    if (Date.now() - attempt.at > ATTEMPT_MAX_AGE_MS) {
      return refuse('the sign-in took too long.');
    }
    setStatus('Signing in...');
    return fetch(config.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: query({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code: params.get('code') || '',
        redirect_uri: redirectUri,
        code_verifier: attempt.verifier
      }),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer'
    }).then(function (response) {
      if (!response.ok) {
        return refuse('the identity provider did not accept the sign-in code.');
      }
      return response.json().then(function (tokens) {
        if (!tokens || typeof tokens.access_token !== 'string' || typeof tokens.id_token !== 'string') {
          return refuse('the identity provider sent no tokens.');
        }
        var problem;
        var username;
        try {
          problem = checkIdToken(tokens.id_token, attempt);
          username = claimsOf(tokens.access_token)[config.usernameClaim];
        } catch (e) {
          problem = 'the tokens could not be read.';
        }
        if (problem) {
          return refuse(problem);
        }
        if (typeof username !== 'string' || !username) {
          return refuse('the access token names no user (claim ' + config.usernameClaim + ').');
        }
        memory.accessToken = tokens.access_token;
        memory.username = username;
        el.username.textContent = username;
        el.who.hidden = false;
        el.signInBox.hidden = true;
        return loadTargets();
      });
    }).catch(function () {
      refuse('the identity provider could not be reached.');
    });
  }

  function signOut() {
    memory.accessToken = null;
    memory.username = null;
    if (config.logoutUrl) {
      var params = config.provider === 'cognito'
        ? { client_id: config.clientId, logout_uri: redirectUri }
        : { client_id: config.clientId, post_logout_redirect_uri: redirectUri };
      window.location.assign(config.logoutUrl + '?' + query(params));
      return;
    }
    showSignIn('Signed out.');
  }

  // ------------------------------------------------------------------ the access service

  function api(path) {
    return fetch(config.basePath + path, {
      headers: { Authorization: 'Bearer ' + memory.accessToken, Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error'
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (e) {
          body = null;
        }
        return { status: response.status, body: body || {} };
      });
    });
  }

  function reference(body) {
    return body.requestId ? ' (reference ' + body.requestId + ')' : '';
  }

  function userPath() {
    return encodeURIComponent(memory.username);
  }

  function failed(answer, doing) {
    var body = answer.body;
    if (answer.status === 401) {
      return showSignIn('Your sign-in has expired or was refused. Sign in again.', 'warn');
    }
    if (answer.status === 403 && body.requestId) {
      // The access service's own refusal (API Gateway's refusals carry no requestId in the body).
      return setStatus(
        'You are signed in as ' + memory.username + ', but you are not entitled to open any SageMaker Studio. ' +
          'Ask your administrator for access to a line of business.' + reference(body),
        'warn'
      );
    }
    var message = body.message || body.Message || 'HTTP ' + answer.status;
    setStatus('Could not ' + doing + ': ' + message + reference(body), 'error');
  }

  function button(text, lob, space) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('data-lob', lob);
    if (space !== null) {
      b.setAttribute('data-space', space);
    }
    b.addEventListener('click', function () {
      openStudio(lob, space);
    });
    return b;
  }

  function renderTargets(lobs) {
    el.targets.textContent = '';
    lobs.forEach(function (lob) {
      var card = document.createElement('article');
      card.className = 'lob';
      card.setAttribute('data-lob', lob.name);
      var head = document.createElement('div');
      head.className = 'lob-head';
      var heading = document.createElement('h2');
      heading.textContent = lob.name;
      head.appendChild(heading);
      head.appendChild(button('Open Studio', lob.name, null));
      card.appendChild(head);
      var spaces = Array.isArray(lob.spaces) ? lob.spaces : [];
      if (!spaces.length) {
        var none = document.createElement('p');
        none.className = 'none';
        none.textContent = 'No spaces yet: Studio opens on its home page.';
        card.appendChild(none);
      } else {
        var list = document.createElement('ul');
        spaces.forEach(function (space) {
          var item = document.createElement('li');
          item.setAttribute('data-space', space.name);
          var label = document.createElement('span');
          var name = document.createElement('span');
          name.className = 'space-name';
          name.textContent = space.name;
          var meta = document.createElement('span');
          meta.className = 'space-meta';
          meta.textContent = [space.appType, space.sharing].filter(Boolean).join(', ');
          label.appendChild(name);
          label.appendChild(meta);
          item.appendChild(label);
          item.appendChild(button('Open', lob.name, space.name));
          list.appendChild(item);
        });
        card.appendChild(list);
      }
      el.targets.appendChild(card);
    });
    el.targets.hidden = false;
  }

  function loadTargets() {
    setStatus('Loading what you may open...');
    return api(userPath() + '/targets').then(function (answer) {
      if (answer.status !== 200) {
        return failed(answer, 'list what you may open');
      }
      var lobs = Array.isArray(answer.body.lobs) ? answer.body.lobs : [];
      if (!lobs.length) {
        return setStatus(
          'You are signed in as ' + memory.username + ', but you are not entitled to open any SageMaker Studio. ' +
            'Ask your administrator for access to a line of business.',
          'warn'
        );
      }
      renderTargets(lobs);
      setStatus('Choose what to open.');
    }).catch(function () {
      setStatus('The access service could not be reached.', 'error');
    });
  }

  function setBusy(busy) {
    Array.prototype.forEach.call(el.targets.querySelectorAll('button'), function (b) {
      b.disabled = busy;
    });
  }

  function openStudio(lob, space) {
    setBusy(true);
    setStatus('Opening ' + (space ? space + ' in ' : 'Studio in ') + lob + '...');
    var params = space === null ? { lob: lob } : { lob: lob, space: space };
    return api(userPath() + '?' + query(params)).then(function (answer) {
      var url = answer.status === 200 ? answer.body.url : null;
      if (answer.status !== 200) {
        setBusy(false);
        return failed(answer, 'open Studio');
      }
      var parsed = null;
      try {
        parsed = new URL(url);
      } catch (e) {
        parsed = null;
      }
      if (!parsed || parsed.protocol !== 'https:') {
        setBusy(false);
        return setStatus('The access service answered with an address that is not https; not opened.', 'error');
      }
      window.location.assign(parsed.href);
    }).catch(function () {
      setBusy(false);
      setStatus('The access service could not be reached.', 'error');
    });
  }

  // ------------------------------------------------------------------ start

  el.signIn.addEventListener('click', startSignIn);
  el.signOut.addEventListener('click', signOut);
  var params = new URLSearchParams(window.location.search);
  if (params.has('code') || params.has('error') || params.has('state')) {
    finishSignIn(params);
  } else {
    showSignIn('Sign in to see the SageMaker Studio environments you may open.');
  }
})();
