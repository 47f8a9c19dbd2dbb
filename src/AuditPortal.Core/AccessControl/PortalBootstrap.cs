namespace AuditPortal.Core.AccessControl;

/// <summary>Guarantees the portal's own list exists and has the configured bootstrap admin.</summary>
public static class PortalBootstrap
{
    public static async Task EnsurePortalAclAsync(IDocumentStore store, AccessControlService acl, string bootstrapAdmin, CancellationToken ct = default)
    {
        var actor = Actor.System("bootstrap");
        // The events decide, as for every permission check: a forged read model neither hides nor fakes the list.
        await using var query = store.QuerySession();
        var (portal, _) = await AccessControlFromEvents.LoadAsync(query, Resources.PortalAclId, ct);
        if (portal is null)
        {
            var created = await acl.CreateAsync(actor, Guid.CreateVersion7(), Resources.PortalAclId, Resources.Portal, "Portal installed", ct);
            if (created.Status is not (CommandStatus.Accepted or CommandStatus.Conflict))
                throw new InvalidOperationException($"Could not create the portal's access-control list: {created.Message}");
        }
        if (string.IsNullOrWhiteSpace(bootstrapAdmin)) return;

        await using var again = store.QuerySession();
        (portal, _) = await AccessControlFromEvents.LoadAsync(again, Resources.PortalAclId, ct);
        foreach (var permission in Personas.Admin.Where(p => portal?.Has(bootstrapAdmin, p, AccessControlClock.Now(store)) != true))
            await acl.GrantAsync(actor, Guid.CreateVersion7(), Resources.PortalAclId, bootstrapAdmin, permission, "Bootstrap admin from configuration", null, ct);
    }
}
