using System.Globalization;
using AuditPortal.Core.Integrity;
using AuditPortal.Web.Infrastructure;
using JasperFx.CommandLine;
using Npgsql;

namespace AuditPortal.Web.Cli;

public sealed class VerifyEventsInput : NetCoreInput
{
    [Description("A chain head recorded elsewhere, as hex or hex@sequence; repeatable. The chain recomputed from the events must reach it")]
    public List<string> ExpectHeadFlag { get; set; } = [];

    [Description("A file of signed checkpoints (default Integrity:CheckpointFile); each signature is checked with Integrity:CheckpointKey and each head against the chain")]
    public string? CheckpointsFlag { get; set; }
}

[Description("Recompute the hash chain over the event table, name the first altered sequence number and check recorded chain heads", Name = "verify-events")]
public sealed class VerifyEventsCommand : JasperFxAsyncCommand<VerifyEventsInput>
{
    public override async Task<bool> Execute(VerifyEventsInput input)
    {
        using var host = input.BuildHost();
        var database = host.Services.GetRequiredService<PortalDatabase>();
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var schema = PortalDatabase.SchemaOf(configuration);

        var expected = new List<ExpectedHead>();
        var problems = new List<string>();
        foreach (var given in input.ExpectHeadFlag)
        {
            var parts = given.Trim().Split('@', 2);
            long? at = parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;
            if (parts[0].Length != 64 || !parts[0].All(Uri.IsHexDigit) || parts.Length == 2 && at is null)
            {
                Console.Error.WriteLine($"--expect-head {given}: expected 64 hex digits, optionally followed by @sequence.");
                return false;
            }
            expected.Add(new ExpectedHead(parts[0].ToLowerInvariant(), at, "--expect-head"));
        }

        var settings = CheckpointSettings.Resolve(configuration, host.Services.GetRequiredService<IHostEnvironment>(), createDevelopmentKey: false);
        var file = input.CheckpointsFlag ?? settings.File;
        if (file is not null && File.Exists(file))
        {
            if (settings.Key is null)
            {
                Console.Error.WriteLine($"{file}: no Integrity:CheckpointKey to check its signatures with.");
                return false;
            }
            var (valid, invalid) = Checkpoint.ReadFile(file, settings.Key);
            problems.AddRange(invalid);
            expected.AddRange(valid.Select(c => new ExpectedHead(c.Head, c.Sequence, $"the checkpoint of {c.At:yyyy-MM-dd HH:mm:ss} UTC")));
            Console.WriteLine($"{valid.Count:N0} signed checkpoints read from {file}.");
        }
        else if (input.CheckpointsFlag is not null)
        {
            Console.Error.WriteLine($"{input.CheckpointsFlag}: no such file.");
            return false;
        }

        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        var result = await EventSeals.VerifyAsync(conn, schema, expected);
        problems.AddRange(result.HeadProblems ?? []);

        Console.WriteLine($"Verified {result.VerifiedEvents:N0} sealed events in {result.Elapsed.TotalSeconds:N2} s; chain head {result.ChainHead} at sequence {result.LastSealedSequence}.");
        if (result.UnsealedEvents > 0)
            Console.WriteLine($"{result.UnsealedEvents:N0} newer events are not sealed yet (the sealer follows the high-water mark).");
        if (result.FirstTampering is { } t)
            Console.Error.WriteLine($"TAMPERED: first altered sequence number {t.SequenceNumber}: {t.Problem}.");
        foreach (var problem in problems)
            Console.Error.WriteLine($"TAMPERED: {problem}.");
        if (result.FirstTampering is not null || problems.Count > 0) return false;
        Console.WriteLine(expected.Count > 0
            ? $"The event table is intact and reaches all {expected.Count:N0} recorded chain heads."
            : "The event table is intact (record the chain head elsewhere to detect a rewritten chain: --expect-head).");
        return true;
    }
}
