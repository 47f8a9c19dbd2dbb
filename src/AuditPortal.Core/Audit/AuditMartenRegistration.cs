namespace AuditPortal.Core.Audit;

public static class AuditMartenRegistration
{
    /// <summary>Known up front so that a restarted daemon or a rebuild never meets an unregistered event type.</summary>
    public static StoreOptions AddAudit(this StoreOptions opts)
    {
        opts.Events.AddEventTypes([typeof(AuditExported), typeof(AuditExportStarted), typeof(AuditExportCompleted)]);
        return opts;
    }
}
