using AuditPortal.Core.Database;
using AuditPortal.Core.Projections;
using AuditPortal.Web.Infrastructure;
using JasperFx;
using JasperFx.CommandLine;
using Marten;

namespace AuditPortal.Web.Cli;

[Description("Create or update the schema as the migration role (ConnectionStrings:MartenMigrations) and grant the runtime role", Name = "apply-schema")]
public sealed class ApplySchemaCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var database = host.Services.GetRequiredService<PortalDatabase>();
        var schema = PortalDatabase.SchemaOf(host.Services.GetRequiredService<IConfiguration>());
        var settings = new PortalStoreSettings { SchemaName = schema, AutoCreate = AutoCreate.CreateOrUpdate };
        if (database.MigrationConnectionString is { } migrations)
        {
            await SchemaApply.ApplyAsync(migrations, database.ConnectionString, settings);
            Console.WriteLine($"Schema {schema} applied as {DatabaseRoles.UserOf(migrations)}; {DatabaseRoles.UserOf(database.ConnectionString)} may read and append events, not rewrite them.");
        }
        else
        {
            await SchemaApply.ApplyAsync(database.ConnectionString, database.ConnectionString, settings);
            Console.WriteLine($"Schema {schema} applied with the single role {DatabaseRoles.UserOf(database.ConnectionString)} (no ConnectionStrings:MartenMigrations set).");
        }
        return true;
    }
}
