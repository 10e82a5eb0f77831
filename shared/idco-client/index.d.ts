// Types of idco-client and of idco's cloud objects. The method lists of
// UniIdCo and UniCaptchaCo are checked against the server's method tables by
// a test (shared/families/client_types_test.go).

/** Options of installIdco. */
export interface IdcoOptions {
  /** idco's one URL: `<baseURL>/uni-id-co/<method>` reaches every method. */
  baseURL: string
  /** Cloud objects sent to idco (default uni-id-co and uni-captcha-co). */
  objects?: string[]
  /** ms a call runs before the loading UI shows (default 300; 0 shows it at once, as uniCloud). */
  loadingDelay?: number
  /** Request timeout in ms (default 60000). */
  timeout?: number
  /** clientInfo.appId when uni.getSystemInfoSync() has none (H5 without a manifest appid). */
  appId?: string
  /** The login page to open on a token error when no uniCloud.onNeedLogin listener is set (uniIdRouter's loginPage). */
  loginPage?: string
  /** The uni API object, where the global `uni` is not the real one (an npm build outside the uni compiler). */
  uni?: object
  /** Replaces uni.request: answers {statusCode, data} for a POST of data (JSON) to url. */
  request?: (req: { url: string, data: object, timeout: number }) => Promise<{ statusCode: number, data: unknown }>
}

/** The handle installIdco returns. */
export interface IdcoClient {
  /** One call without UI: resolves with the answer, rejects with an IdcoError. */
  call<T = IdcoResult>(object: string, method: string, params?: object): Promise<T>
  /** The clientInfo sent with every call, built as uniCloud builds it. */
  clientInfo(): Record<string, unknown>
  /** Puts uniCloud's own functions back. */
  uninstall(): void
}

/** Points uniCloud.importObject('uni-id-co') and ('uni-captcha-co') and uniCloud.database()'s uni-id-users at idco. */
export function installIdco(uniCloud: object, options: IdcoOptions): IdcoClient

/** The cloud objects idco serves. */
export const IDCO_OBJECTS: string[]

/** What a failed call rejects with (uniCloud's UniCloudError shape). */
export class IdcoError extends Error {
  errCode: string
  code: string
  errMsg: string
  errSubject?: string
  requestId?: string
  /** The whole answer, for an error answered by idco. */
  detail?: unknown
}

export interface NewToken { token: string, tokenExpired: number }

/** Every answer: errCode 0, and newToken when a token was issued or refreshed. */
export interface IdcoResult { errCode: 0, errMsg: string, newToken?: NewToken }

export interface LoginResult extends IdcoResult {
  uid: string
  passwordConfirmed: boolean
  /** "login" or "register", for methods that register an unknown identity. */
  type?: 'login' | 'register'
  newToken: NewToken
}

export interface AccountInfo extends IdcoResult {
  isUsernameSet: boolean, isNicknameSet: boolean, isPasswordSet: boolean, isMobileBound: boolean
  isEmailBound: boolean, isWeixinBound: boolean, isQQBound: boolean, isAlipayBound: boolean, isAppleBound: boolean
  /** idco's: the web login providers bound to the account (getOAuthProviders' keys). */
  oauthBound: string[]
}

/** A web login provider's code, from its redirect back to redirectUri (the exact address the authorization named). */
export interface OAuthCode {
  /** A key getOAuthProviders answers: github, google, dingtalk, weibo, qq, weixin, facebook, twitter. */
  provider: string
  code: string
  redirectUri: string
  /** The PKCE verifier, when the authorization sent a code_challenge (required for twitter). */
  codeVerifier?: string
}

/** One entry of getOAuthProviders (the seed's provider list). */
export interface OAuthProviderEntry {
  provider: string
  /** The display name in the call's locale. */
  name: string
  names: { 'zh-Hans': string, en: string }
  /** A data: URL. */
  icon: string
  /** Whether the authorization takes a PKCE code challenge. */
  pkce: boolean
}

export interface CaptchaResult extends IdcoResult { captchaBase64: string }

export interface AvatarFile { name?: string, extname?: string, url?: string }

/** The readable fields of the caller's uni-id-users record. */
export interface Profile {
  _id: string, username?: string, nickname?: string, gender?: 0 | 1 | 2, avatar?: string
  avatar_file?: AvatarFile, mobile?: string, mobile_confirmed?: number, email?: string
  email_confirmed?: number, role?: string[], status?: number, register_date?: number
  last_login_date?: number, my_invite_code?: string
}

export interface Device {
  /** names the session for endSession */
  id: string
  device_id: string, uni_platform: string, appid: string, push_clientid?: string
  token_expired: number, login_date: number, current: boolean
}

export interface AccessTokenInfo {
  id: string, name: string, scopes: string[], created: number, expires?: number, disabled?: boolean
}

export interface RealNameInfo extends IdcoResult {
  type: number
  /** 0 none, 1 waiting, 2 certified, 3 failed */
  authStatus: 0 | 1 | 2 | 3
  /** masked: every character but the last */
  realName: string
  /** masked: every character but the first and the last */
  identity: string
}

type Captcha = { captcha?: string }
type Invite = { inviteCode?: string, bindTicket?: string }
type Code = { code: string }

/** uniCloud.importObject('uni-id-co') against idco. */
/** A user's fields as addUser and updateUser take them (uni-id-co). */
export interface AdminUserFields {
  authorizedApp?: string[], nickname?: string, role?: string[], mobile?: string, email?: string,
  tags?: string[], status?: 0 | 1 | 2 | 3 | 4
}
/** An account as an administrator reads it (no secrets). */
export interface AdminUserView {
  uid: string, username?: string, nickname?: string, mobile?: string, mobile_confirmed?: number,
  email?: string, email_confirmed?: number, role: string[], status: number, dcloud_appid?: string[],
  tags?: string[], register_date?: number, last_login_date?: number, last_login_ip?: string,
  passwordSet: boolean, sessions: number, identities: string[], realNameAuthStatus?: number,
  my_invite_code?: string, inviter_uid?: string[]
}
export interface AuditEvent {
  uid: string, at: number, type: string, method: string, outcome: string, ip?: string, userAgent?: string,
  appId?: string, platform?: string, actor?: string
}
export interface Role { role_id: string, role_name: string, comment?: string, permission: string[], create_date: number }
export interface Permission { permission_id: string, permission_name: string, comment?: string, create_date: number }

/** An app registered with the open platform (admin methods). */
export interface OAuthClientFields {
  appid?: string, name?: string, logo?: string, website?: string, redirectUris?: string[], postLogoutRedirectUris?: string[],
  scopes?: ('openid' | 'profile' | 'email' | 'phone' | 'role')[], legacyFragment?: boolean, trusted?: boolean
}
/** A code exchange's tokens (RFC 6749 names). */
export interface OAuthTokens { access_token: string, token_type: 'Bearer', expires_in: number, refresh_token: string, id_token?: string, scope: string }
/** A QR-code login ticket's state, as pollQrLogin answers it. */
export type QrLoginState = 'pending' | 'scanned' | 'confirmed' | 'cancelled' | 'expired'
export interface QrLoginInfo extends IdcoResult {
  state: 'scanned', clientId: string, name: string, logo?: string, website?: string,
  scopes: { scope: string, text: string }[], platform: string, ip: string, userAgent?: string, expiresIn: number
}

export interface UniIdCo {
  // register
  registerAdmin(p: { username: string, password: string, nickname?: string, setupSecret?: string, captcha?: string }): Promise<LoginResult>
  registerUser(p: { username: string, password: string, captcha: string, nickname?: string } & Invite): Promise<LoginResult>
  registerUserByEmail(p: { email: string, password: string, code: string, nickname?: string } & Invite): Promise<LoginResult>
  /** idco's: whether the first administrator exists (login-withpwd's admin count). */
  hasAdmin(): Promise<IdcoResult & { exists: boolean }>
  // login
  login(p: { username?: string, mobile?: string, email?: string, password: string, bindTicket?: string } & Captcha): Promise<LoginResult>
  loginBySms(p: { mobile: string, code: string } & Captcha & Invite): Promise<LoginResult>
  loginByEmailCode(p: { email: string, code: string } & Captcha & Invite): Promise<LoginResult>
  loginByWeixin(p: Code & Invite): Promise<LoginResult>
  loginByWeixinMobile(p: { phoneCode: string } & Invite): Promise<LoginResult>
  loginByQQ(p: { code?: string, accessToken?: string, accessTokenExpired?: number, inviteCode?: string }): Promise<LoginResult>
  loginByAlipay(p: Code & Invite): Promise<LoginResult>
  loginByApple(p: { identityToken: string, nickname?: string, nonce?: string, inviteCode?: string }): Promise<LoginResult>
  loginByUniverify(p: { access_token: string, openid: string } & Invite): Promise<LoginResult>
  /** idco's: a web login through a provider's redirect (GitHub, Google, DingTalk, Weibo, QQ, WeChat, Facebook, X). */
  loginByOAuth(p: OAuthCode & Invite): Promise<LoginResult>
  secureNetworkHandshakeByWeixin(p: { code: string, callLoginByWeixin?: boolean }): Promise<IdcoResult | LoginResult>
  // external systems (server to server, signed with requestAuthSecret)
  externalRegister(p: { externalUid: string, nickname?: string, gender?: number, avatar?: string }): Promise<IdcoResult & { uid: string, externalUid: string }>
  externalLogin(p: { uid?: string, externalUid?: string }): Promise<IdcoResult & { uid: string }>
  updateUserInfoByExternal(p: { uid?: string, externalUid?: string, username?: string, password?: string, gender?: number, avatar?: string } & AdminUserFields): Promise<IdcoResult>
  // bind
  bindMobileBySms(p: { mobile: string, code: string } & Captcha): Promise<IdcoResult>
  bindEmailByCode(p: { email: string, code: string } & Captcha): Promise<IdcoResult>
  bindMobileByUniverify(p: { access_token: string, openid: string }): Promise<IdcoResult>
  bindMobileByMpWeixin(p: { encryptedData?: string, iv?: string, code?: string }): Promise<IdcoResult>
  bindWeixin(p: Code): Promise<IdcoResult>
  bindQQ(p: { code?: string, accessToken?: string, accessTokenExpired?: number }): Promise<IdcoResult>
  bindAlipay(p: Code): Promise<IdcoResult>
  bindApple(p: { identityToken: string, nonce?: string }): Promise<IdcoResult>
  unbindWeixin(): Promise<IdcoResult>
  unbindQQ(): Promise<IdcoResult>
  unbindAlipay(): Promise<IdcoResult>
  unbindApple(): Promise<IdcoResult>
  /** idco's: bind a web login provider's identity; needs a recent login. */
  bindOAuth(p: OAuthCode): Promise<IdcoResult>
  unbindOAuth(p: { provider: string }): Promise<IdcoResult>
  // reset
  resetPwdBySms(p: { mobile: string, code: string, password: string } & Captcha): Promise<IdcoResult>
  resetPwdByEmail(p: { email: string, code: string, password: string } & Captcha): Promise<IdcoResult>
  updatePwd(p: { oldPassword: string, newPassword: string }): Promise<IdcoResult>
  setPwd(p: { password: string, code: string } & Captcha): Promise<IdcoResult>
  // captcha
  createCaptcha(p: { scene: string }): Promise<CaptchaResult>
  refreshCaptcha(p: { scene: string }): Promise<CaptchaResult>
  // codes
  sendSmsCode(p: { mobile: string, scene: string } & Captcha): Promise<IdcoResult>
  sendEmailCode(p: { email: string, scene: string } & Captcha): Promise<IdcoResult>
  getSupportedLoginType(): Promise<IdcoResult & { supportedLoginType: string[] }>
  /** idco's: the web login providers the app's config enables on the caller's platform. */
  getOAuthProviders(): Promise<IdcoResult & { providers: OAuthProviderEntry[] }>
  // account
  logout(): Promise<IdcoResult>
  refreshToken(): Promise<IdcoResult & { newToken: NewToken }>
  getAccountInfo(): Promise<AccountInfo>
  closeAccount(): Promise<IdcoResult>
  checkToken(p: { token: string }): Promise<IdcoResult & { uid: string, role: string[], permission: string[], tokenExpired: number }>
  acceptInvite(p: { inviteCode: string }): Promise<IdcoResult>
  getInvitedUser(p: { level: number, limit?: number, offset?: number, needTotal?: boolean }): Promise<IdcoResult & {
    invitedUser: { uid: string, username?: string, nickname?: string, mobile?: string, inviteTime: number, avatar?: string, avatarFile?: object }[],
    total?: number
  }>
  setPushCid(p: { pushClientId: string }): Promise<IdcoResult>
  /** idco's: the caller's logged-in devices (uni-id-device records). */
  listDevices(): Promise<IdcoResult & { devices: Device[] }>
  /** idco's: end one of the caller's sessions (an id from listDevices); its tokens stop at once. */
  endSession(p: { id: string }): Promise<IdcoResult>
  /** idco's: a personal access token (the secret only in this answer); needs a recent login. */
  createAccessToken(p: { name: string, scopes: ('account' | 'realname' | 'admin')[], expireInDays?: number }): Promise<IdcoResult & AccessTokenInfo & { token: string }>
  listAccessTokens(): Promise<IdcoResult & { accessTokens: AccessTokenInfo[] }>
  disableAccessToken(p: { id: string }): Promise<IdcoResult>
  enableAccessToken(p: { id: string }): Promise<IdcoResult>
  deleteAccessToken(p: { id: string }): Promise<IdcoResult>
  getRealNameInfo(p?: { decryptData?: boolean }): Promise<RealNameInfo>
  /** idco's: the caller's own record (the client database's uni-id-users read). */
  getProfile(p?: { fields?: (keyof Profile)[] }): Promise<IdcoResult & { userInfo: Profile }>
  /** idco's: nickname, gender and avatar of the caller (the client database's update); 1 when something changed. */
  updateProfile(p: { nickname?: string, gender?: 0 | 1 | 2, avatar?: string, avatar_file?: AvatarFile }): Promise<IdcoResult & { updated: 0 | 1 }>
  // realname
  getFrvCertifyId(p: { realName: string, idCard: string, metaInfo: string }): Promise<IdcoResult & { certifyId: string }>
  getFrvAuthResult(p: { certifyId: string }): Promise<RealNameInfo>
  // admin (role admin, or as idco.access allows)
  addUser(p: { username: string, password: string } & AdminUserFields): Promise<IdcoResult & { uid: string }>
  updateUser(p: { uid: string, username: string, password?: string } & AdminUserFields): Promise<IdcoResult>
  authorizeAppLogin(p: { uid: string, appId: string }): Promise<IdcoResult>
  removeAuthorizedApp(p: { uid: string, appId: string }): Promise<IdcoResult>
  setAuthorizedApp(p: { uid: string, appIdList: string[] }): Promise<IdcoResult>
  getUser(p: { uid?: string, username?: string, mobile?: string, email?: string }): Promise<IdcoResult & { user: AdminUserView }>
  listUsers(p?: { limit?: number, cursor?: string }): Promise<IdcoResult & { users: AdminUserView[], cursor: string }>
  banUser(p: { uid: string }): Promise<IdcoResult>
  unbanUser(p: { uid: string }): Promise<IdcoResult>
  closeUser(p: { uid: string }): Promise<IdcoResult>
  endUserSessions(p: { uid: string }): Promise<IdcoResult>
  setUserRoles(p: { uid: string, role: string[] }): Promise<IdcoResult>
  deleteUser(p: { uid: string }): Promise<IdcoResult>
  importUsers(p: { users: { line: number, doc: object }[], dryRun?: boolean }): Promise<IdcoResult & {
    results: { line: number, uid?: string, outcome: 'created' | 'exists' | 'conflict' | 'invalid', key?: string, errCode?: string, param?: string }[]
  }>
  exportUsers(p?: { limit?: number, cursor?: string }): Promise<IdcoResult & { users: object[], cursor: string }>
  getAuditLog(p: { uid: string, limit?: number, cursor?: string }): Promise<IdcoResult & { events: AuditEvent[], cursor: string }>
  getRoles(): Promise<IdcoResult & { roles: Role[], permissions: Permission[] }>
  createRole(p: { role_id: string, role_name: string, comment?: string, permission?: string[] }): Promise<IdcoResult>
  updateRole(p: { role_id: string, role_name?: string, comment?: string, permission?: string[] }): Promise<IdcoResult>
  deleteRole(p: { role_id: string }): Promise<IdcoResult>
  createPermission(p: { permission_id: string, permission_name: string, comment?: string }): Promise<IdcoResult>
  updatePermission(p: { permission_id: string, permission_name?: string, comment?: string }): Promise<IdcoResult>
  deletePermission(p: { permission_id: string }): Promise<IdcoResult>
  // the open platform's registered apps (admin)
  addOAuthClient(p: OAuthClientFields & { name: string, redirectUris: string[], public?: boolean }): Promise<IdcoResult & { clientId: string, clientSecret?: string }>
  updateOAuthClient(p: OAuthClientFields & { clientId: string }): Promise<IdcoResult>
  resetOAuthClientSecret(p: { clientId: string }): Promise<IdcoResult & { clientId: string, clientSecret: string }>
  removeOAuthClient(p: { clientId: string }): Promise<IdcoResult>
  listOAuthClients(): Promise<IdcoResult & { clients: (OAuthClientFields & { client_id: string, appid: string, public: boolean, created: number })[] }>
  // open authorisation (the oauth function)
  /** a code for a registered app, authorised by the logged-in user from the app's own page */
  applyAuthorizationCode(p: { clientId: string, redirectUri: string, scope: string, codeChallenge?: string, codeChallengeMethod?: 'S256', nonce?: string, expireInDays?: number }): Promise<IdcoResult & { code: string, expiresIn: number }>
  /** the app trades a code for tokens, as at the token endpoint */
  exchangeAuthorizationCode(p: { clientId: string, clientSecret?: string, code: string, redirectUri: string, codeVerifier?: string }): Promise<IdcoResult & OAuthTokens>
  getAuthorizations(): Promise<IdcoResult & { authorizations: { clientId: string, name: string, logo?: string, website?: string, scopes: string[], created: number, updated: number }[] }>
  deleteAuthorization(p: { clientId: string }): Promise<IdcoResult>
  // QR-code login (the oauth function): the web page's side
  /** a sign-in ticket for the page's device, its picture (a data: URL) and the secret to wait with; redirectUri etc. ask for a code too */
  createQrLogin(p: { clientId: string, scope: string, redirectUri?: string, codeChallenge?: string, codeChallengeMethod?: 'S256', nonce?: string, expireInDays?: number }): Promise<IdcoResult & { ticket: string, pollSecret: string, qrcode: string, expiresIn: number }>
  /** waits up to 20 s for a change; confirmed signs the page in (newToken), once */
  pollQrLogin(p: { ticket: string, pollSecret: string }): Promise<IdcoResult & { state: QrLoginState, uid?: string, type?: 'login', passwordConfirmed?: boolean, code?: string, codeExpiresIn?: number }>
  // the mini program's side (logged in with loginByWeixin)
  getQrLoginInfo(p: { ticket: string }): Promise<QrLoginInfo>
  confirmQrLogin(p: { ticket: string }): Promise<IdcoResult & { state: 'confirmed' }>
  cancelQrLogin(p: { ticket: string }): Promise<IdcoResult & { state: 'cancelled' }>
}

/** uniCloud.importObject('uni-captcha-co') against idco. */
export interface UniCaptchaCo {
  getImageCaptcha(p: { scene: string, isUniAppX?: boolean }): Promise<CaptchaResult>
}
