"""What the sign-in page's browser test needs beside the end-to-end world: headless Chromium
driven by Selenium (`chromium`), a local identity provider (`idp`) and a stand-in for Studio's
host (`studio`)."""
