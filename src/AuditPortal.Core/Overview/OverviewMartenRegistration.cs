using Marten.Events.Projections;

namespace AuditPortal.Core.Overview;

public static class OverviewMartenRegistration
{
    /// <summary>The overview's read model (daily activity), as a member of the one-pass composite <paramref name="readModels"/>.</summary>
    public static void JoinDailyActivity(StoreOptions opts, CompositeProjection readModels)
    {
        var daily = new DailyActivityProjection(opts.DatabaseSchemaName);
        // Once per store, however often the registration runs.
        if (opts.Storage.ExtendedSchemaObjects.Any(o => o.Identifier.QualifiedName == daily.QualifiedTableName)) return;
        // A SQL-writing projection names what a rebuild must wipe: Marten cannot see its writes.
        opts.Storage.ExtendedSchemaObjects.Add(daily.BuildTable());
        readModels.Add(daily, ao => ao.DeleteDataInTableOnTeardown(daily.QualifiedTableName));
        // The wrapper of a plain IProjection is named after its type; keep the progression row "DailyActivity:All".
        if (readModels.AllProjections().LastOrDefault() is JasperFx.Events.Projections.ProjectionBase wrapper) wrapper.Name = DailyActivityProjection.ProjectionName;
    }
}
