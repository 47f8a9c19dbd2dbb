using JasperFx.CommandLine;
using Npgsql;

namespace AuditPortal.Web.Cli;

public sealed class VerifyEventsInput : NetCoreInput
{
    [Description("A chain head recorded elsewhere, as hex or hex@sequence; repeatable. The chain recomputed from the events must reach it")]
    public List<string> ExpectHeadFlag { get; set; } = [];

    [Description("A file of signed checkpoints (default Integrity:CheckpointFile); each signature is checked with Integrity:CheckpointPublicKey and each head against the chain")]
    public string? CheckpointsFlag { get; set; }

    [Description("How many altered sequence numbers to list (all are counted); default 100")]
    public int MaxProblemsFlag { get; set; } = 100;
}

[Description("Recompute the hash chain over the event table, list every altered sequence number (the first --max-problems, with the count) and check recorded chain heads", Name = "verify-events")]
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

        // Only the public key is needed: a verifier never holds what signs checkpoints.
        using var settings = CheckpointSettings.Resolve(configuration, host.Services.GetRequiredService<IHostEnvironment>(), createDevelopmentKey: false);
        var file = input.CheckpointsFlag ?? settings.File;
        if (file is not null && File.Exists(file))
        {
            if (settings.PublicKey is null)
            {
                Console.Error.WriteLine($"{file}: no {CheckpointSettings.PublicKeySetting} to check its signatures with.");
                return false;
            }
            var read = Checkpoint.ReadFile(file, settings.PublicKey);
            problems.AddRange(read.Problems);
            foreach (var old in read.OldFormat) Console.WriteLine($"Note: {old}.");
            expected.AddRange(read.Valid.Select(c => new ExpectedHead(c.Head, c.Sequence, $"the checkpoint of {c.At:yyyy-MM-dd HH:mm:ss} UTC")));
            Console.WriteLine($"{read.Valid.Count:N0} signed checkpoints read from {file}.");
        }
        else if (input.CheckpointsFlag is not null)
        {
            Console.Error.WriteLine($"{input.CheckpointsFlag}: no such file.");
            return false;
        }

        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        var result = await EventSeals.VerifyAsync(conn, schema, expected, Math.Max(1, input.MaxProblemsFlag));
        problems.AddRange(result.HeadProblems ?? []);

        Console.WriteLine($"Verified {result.VerifiedEvents:N0} sealed events in {result.Elapsed.TotalSeconds:N2} s; chain head {result.ChainHead} at sequence {result.LastSealedSequence}.");
        if (result.UnsealedEvents > 0)
            Console.WriteLine($"{result.UnsealedEvents:N0} newer events are not sealed yet (the sealer seals what has committed).");
        foreach (var t in result.Tamperings)
            Console.Error.WriteLine($"TAMPERED: sequence number {t.SequenceNumber}: {t.Problem}.");
        if (result.TamperingCount > result.Tamperings.Count)
            Console.Error.WriteLine($"TAMPERED: {result.TamperingCount - result.Tamperings.Count:N0} more altered sequence numbers not listed (--max-problems).");
        foreach (var problem in problems)
            Console.Error.WriteLine($"TAMPERED: {problem}.");
        var total = result.TamperingCount + problems.Count;
        if (total > 0)
        {
            Console.Error.WriteLine($"{total:N0} problems: {result.TamperingCount:N0} altered sequence numbers, {problems.Count:N0} checkpoint or head problems.");
            return false;
        }
        Console.WriteLine(expected.Count > 0
            ? $"The event table is intact and reaches all {expected.Count:N0} recorded chain heads."
            : "The event table is intact (record the chain head elsewhere to detect a rewritten chain: --expect-head).");
        return true;
    }
}
