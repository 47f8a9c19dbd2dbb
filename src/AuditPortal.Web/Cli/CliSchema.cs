using JasperFx;

namespace AuditPortal.Web.Cli;

/// <summary>The apply step as the verbs run it: as the migration role when one is configured, else as the one role.</summary>
public static class CliSchema
{
    /// <summary>Applies the schema and says as which role.</summary>
    public static async Task<string> ApplyAsync(IHost host)
    {
        var database = host.Services.GetRequiredService<PortalDatabase>();
        var schema = PortalDatabase.SchemaOf(host.Services.GetRequiredService<IConfiguration>());
        // The store's own settings (the event key among them), so the apply step installs the binding the nodes use.
        var settings = host.Services.GetRequiredService<PortalStoreSettings>() with { SchemaName = schema, AutoCreate = AutoCreate.CreateOrUpdate };
        if (database.MigrationConnectionString is { } migrations)
        {
            await SchemaApply.ApplyAsync(migrations, database.ConnectionString, settings);
            return $"Schema {schema} applied as {DatabaseRoles.UserOf(migrations)}; {DatabaseRoles.UserOf(database.ConnectionString)} may read and append events, not rewrite them.";
        }
        await SchemaApply.ApplyAsync(database.ConnectionString, database.ConnectionString, settings);
        return $"Schema {schema} applied with the single role {DatabaseRoles.UserOf(database.ConnectionString)} (no ConnectionStrings:MartenMigrations set).";
    }
}
