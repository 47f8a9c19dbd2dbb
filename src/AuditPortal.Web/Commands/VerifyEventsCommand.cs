using AuditPortal.Core.Integrity;
using AuditPortal.Web.Infrastructure;
using JasperFx.CommandLine;
using Npgsql;

namespace AuditPortal.Web.Commands;

[Description("Recompute the hash chain over the event table and name the first altered sequence number", Name = "verify-events")]
public sealed class VerifyEventsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var database = host.Services.GetRequiredService<PortalDatabase>();
        var schema = host.Services.GetRequiredService<IConfiguration>()["Database:Schema"] is { Length: > 0 } s ? s : "auditportal";
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        var result = await EventSeals.VerifyAsync(conn, schema);

        Console.WriteLine($"Verified {result.VerifiedEvents:N0} sealed events in {result.Elapsed.TotalSeconds:N2} s; chain head {result.ChainHead}.");
        if (result.UnsealedEvents > 0)
            Console.WriteLine($"{result.UnsealedEvents:N0} newer events are not sealed yet (the sealer follows the high-water mark).");
        if (result.FirstTampering is { } t)
        {
            Console.Error.WriteLine($"TAMPERED: first altered sequence number {t.SequenceNumber}: {t.Problem}.");
            return false;
        }
        Console.WriteLine("The event table is intact.");
        return true;
    }
}
