using JasperFx.CommandLine;

namespace AuditPortal.Web.Cli;

[Description("Create or update the schema as the migration role (ConnectionStrings:MartenMigrations) and grant the runtime role", Name = "apply-schema")]
public sealed class ApplySchemaCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        Console.WriteLine(await CliSchema.ApplyAsync(host));
        return true;
    }
}
