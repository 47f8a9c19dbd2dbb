namespace AuditPortal.Core.ServiceTokens;

public static class ServiceTokensMartenRegistration
{
    /// <summary>Known up front: the admin page reads the issues and revocations raw, before any token stream was loaded.</summary>
    public static StoreOptions AddServiceTokens(this StoreOptions opts)
    {
        opts.Events.AddEventType<ServiceTokenIssued>();
        opts.Events.AddEventType<ServiceTokenRevoked>();
        opts.Events.AddEventType<ServiceTokenUsed>();
        return opts;
    }
}
