using JasperFx.Events.Projections;

namespace AuditPortal.Core.AccessControl;

public static class AccessControlMartenRegistration
{
    public static StoreOptions AddAccessControl(this StoreOptions opts)
    {
        // Inline: a revocation must be visible to the very next authorization check.
        opts.Projections.Add<AccessControlListViewProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<AccessControlListView>().Index(x => x.Resource);
        // Read raw by every node's sign-out check (SignOutLog), before any stream of it was loaded.
        opts.Events.AddEventTypes(
            [typeof(PermissionExpired), typeof(UserSignedOut), typeof(SignInLocked), typeof(UserSignedIn), typeof(SignInRefused), typeof(ReadRefused)]);
        // Failed sign-ins, shared by every portal node (SignInAttempts).
        opts.Storage.ExtendedSchemaObjects.Add(SignInAttempts.BuildTable(opts.DatabaseSchemaName));
        return opts;
    }
}
