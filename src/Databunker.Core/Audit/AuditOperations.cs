namespace Databunker.Core;

/// <summary>The operation names written to the audit trail.</summary>
public static class AuditOperations
{
    /// <summary>A person was created.</summary>
    public const string PersonCreate = "person.create";

    /// <summary>A person's profile was read.</summary>
    public const string PersonGet = "person.get";

    /// <summary>
    /// A person's profile was read for a purpose (<see cref="IPersonalDataVault.GetPersonForPurposeAsync"/>); the
    /// details, sealed under the person's key, name the purpose and the fields returned.
    /// </summary>
    public const string PersonUse = "person.use";

    /// <summary>
    /// Fields that no purpose needs any longer were deleted from a person's profile by the due-work pass
    /// (<see cref="IPersonalDataVault.DeleteExpiredFieldsAsync"/>); the details, sealed under the person's key, name them.
    /// </summary>
    public const string PersonMinimise = "person.minimise";

    /// <summary>The minimisation report read every profile (<see cref="IVaultAdministration.GetMinimisationReportAsync"/>); no person is named.</summary>
    public const string MinimisationReport = "admin.minimisation";

    /// <summary>The host ended a purpose for a person (<see cref="IPersonalDataVault.EndPurposeAsync"/>); the details name it.</summary>
    public const string PurposeEnd = "purpose.end";

    /// <summary>A person's profile was changed.</summary>
    public const string PersonUpdate = "person.update";

    /// <summary>A person was forgotten through the vault.</summary>
    public const string PersonForget = "person.forget";

    /// <summary>An expiration was started.</summary>
    public const string ExpirationStart = "expiration.start";

    /// <summary>A person chose to keep their data.</summary>
    public const string ExpirationRetain = "expiration.retain";

    /// <summary>A person chose to delete their data through their link.</summary>
    public const string ExpirationDelete = "expiration.delete";

    /// <summary>An expiration was cancelled.</summary>
    public const string ExpirationCancel = "expiration.cancel";

    /// <summary>The scheduler forgot a person whose expiration fell due.</summary>
    public const string ExpirationExpired = "expiration.expired";

    /// <summary>A value was replaced with a token.</summary>
    public const string TokenTokenize = "token.tokenize";

    /// <summary>A token's value was read.</summary>
    public const string TokenDetokenize = "token.detokenize";

    /// <summary>A token was deleted.</summary>
    public const string TokenDelete = "token.delete";

    /// <summary>The wrapped keys were re-wrapped under a new key version.</summary>
    public const string KeysRewrap = "keys.rewrap";

    /// <summary>A system key was renewed (the token sealing key, or the blind index re-keyed).</summary>
    public const string KeysRenew = "keys.renew";

    /// <summary>An old key version was retired (destroyed in the key provider).</summary>
    public const string KeysRetire = "keys.retire";

    /// <summary>A person's app-data document was read (<see cref="AppData.IAppDataManager.GetAsync"/>).</summary>
    public const string AppDataGet = "appdata.get";

    /// <summary>A person's app-data documents were listed (<see cref="AppData.IAppDataManager.ListAsync"/>).</summary>
    public const string AppDataList = "appdata.list";

    /// <summary>A person's app-data document was written whole (<see cref="AppData.IAppDataManager.PutAsync"/>).</summary>
    public const string AppDataPut = "appdata.put";

    /// <summary>A person's app-data document was merge-patched (<see cref="AppData.IAppDataManager.PatchAsync"/>).</summary>
    public const string AppDataPatch = "appdata.patch";

    /// <summary>A person's app-data document was deleted (<see cref="AppData.IAppDataManager.DeleteAsync"/>).</summary>
    public const string AppDataDelete = "appdata.delete";

    /// <summary>A person's app-data document was removed by the due-work pass because its retention had passed.</summary>
    public const string AppDataExpired = "appdata.expired";

    /// <summary>A session was created (<see cref="Sessions.ISessionManager.CreateAsync"/>).</summary>
    public const string SessionCreate = "session.create";

    /// <summary>A person's session was read, when <see cref="Sessions.SessionOptions.AuditReads"/> is on.</summary>
    public const string SessionGet = "session.get";

    /// <summary>A session's data was replaced (<see cref="Sessions.ISessionManager.ReplaceAsync"/>).</summary>
    public const string SessionReplace = "session.replace";

    /// <summary>A session was bound to a person under a new id (<see cref="Sessions.ISessionManager.BindToPersonAsync"/>).</summary>
    public const string SessionBind = "session.bind";

    /// <summary>A session was ended (<see cref="Sessions.ISessionManager.EndAsync"/>).</summary>
    public const string SessionEnd = "session.end";

    /// <summary>All (or all but one) of a person's sessions were ended (<see cref="Sessions.ISessionManager.EndAllAsync"/>).</summary>
    public const string SessionEndAll = "session.end-all";

    /// <summary>A share link was made (<see cref="Shares.IShareLinkManager.CreateAsync"/>).</summary>
    public const string ShareCreate = "share.create";

    /// <summary>A share link was redeemed; the sealed details name the recipient (<see cref="Shares.IShareLinkManager.RedeemAsync"/>).</summary>
    public const string ShareRedeem = "share.redeem";

    /// <summary>A share link was revoked (<see cref="Shares.IShareLinkManager.RevokeAsync"/>).</summary>
    public const string ShareRevoke = "share.revoke";

    /// <summary>Everything held about a person was exported (<see cref="Export.IPersonExporter.ExportAsync"/>).</summary>
    public const string PersonExport = "person.export";

    /// <summary>A notice's changed text was published as a new version (<see cref="Privacy.IPrivacyCatalog.PublishAsync"/>).</summary>
    public const string CatalogNoticePublish = "catalog.notice.publish";

    /// <summary>The declared privacy catalogue changed (<see cref="Privacy.IPrivacyCatalog.PublishAsync"/>).</summary>
    public const string CatalogChange = "catalog.change";

    /// <summary>A consent decision was recorded (<see cref="Consent.IConsentLedger.RecordAsync"/>).</summary>
    public const string ConsentRecord = "consent.record";

    /// <summary>A granted consent's validity ended and the due-work pass closed it.</summary>
    public const string ConsentExpired = "consent.expired";

    /// <summary>A granted consent's notice got a newer version and the due-work pass marked it for re-consent.</summary>
    public const string ConsentReconsent = "consent.reconsent";

    /// <summary>A decision was recorded for an email or phone that no person holds yet.</summary>
    public const string ConsentPending = "consent.pending";

    /// <summary>Decisions recorded before registration were attached to the person who registered with that email or phone.</summary>
    public const string ConsentAttach = "consent.attach";

    /// <summary>The decisions recorded before the consent chain existed were linked into it, once, when the vault first opened after the upgrade.</summary>
    public const string ConsentLink = "consent.link";

    /// <summary>The heads of the consent ledgers were written, once, when a vault that had the consent chain first opened after the upgrade that added them.</summary>
    public const string ConsentHeads = "consent.heads";

    /// <summary>A data-subject request was submitted.</summary>
    public const string RequestSubmit = "request.submit";

    /// <summary>A request's verification code was checked (outcome <c>success</c> or <c>refused</c>).</summary>
    public const string RequestVerify = "request.verify";

    /// <summary>A request was sent a new verification code.</summary>
    public const string RequestResend = "request.resend";

    /// <summary>A request's period was extended.</summary>
    public const string RequestExtend = "request.extend";

    /// <summary>A request was approved and claimed for carrying out.</summary>
    public const string RequestApprove = "request.approve";

    /// <summary>A request was carried out (or found nothing left to do).</summary>
    public const string RequestComplete = "request.complete";

    /// <summary>Carrying out a request failed, or was interrupted.</summary>
    public const string RequestFail = "request.fail";

    /// <summary>A request was rejected.</summary>
    public const string RequestReject = "request.reject";

    /// <summary>A request was cancelled.</summary>
    public const string RequestCancel = "request.cancel";

    /// <summary>A request was never verified and expired.</summary>
    public const string RequestExpire = "request.expire";

    /// <summary>A request became overdue.</summary>
    public const string RequestOverdue = "request.overdue";

    /// <summary>A closed request's record was purged after its retention.</summary>
    public const string RequestPurge = "request.purge";
}
