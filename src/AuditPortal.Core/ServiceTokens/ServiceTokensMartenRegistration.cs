namespace AuditPortal.Core.ServiceTokens;

public static class ServiceTokensMartenRegistration
{
    /// <summary>Known up front: the admin page reads the issues and revocations raw, before any token stream was loaded.</summary>
    public static StoreOptions AddServiceTokens(this StoreOptions opts)
    {
        opts.Events.AddEventTypes([typeof(ServiceTokenIssued), typeof(ServiceTokenRevoked), typeof(ServiceTokenUsed)]);
        return opts;
    }
}
