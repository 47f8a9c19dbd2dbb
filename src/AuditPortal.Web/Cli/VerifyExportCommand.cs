using JasperFx.CommandLine;

namespace AuditPortal.Web.Cli;

public sealed class VerifyExportInput
{
    [Description("The evidence export to check (CSV or JSON, as downloaded with evidence=true)")]
    public string File { get; set; } = "";

    [Description("The portal's checkpoint public key: PEM text or the path of a PEM file (Integrity:CheckpointPublicKey, printed by new-checkpoint-key)")]
    public string? PublicKeyFlag { get; set; }

    [Description("How many problems to list (all are counted); default 100")]
    public int MaxProblemsFlag { get; set; } = 100;
}

/// <summary>
/// `dotnet AuditPortal.Web.dll verify-export audit-…-evidence.csv --public-key checkpoint-public.pem`: checks an evidence
/// export with the file and the public key only, no database and no portal settings (Program.cs runs it before either
/// is looked at). Exit code 0 only when every row is as the portal sealed it and none inside the range is missing.
/// </summary>
[Description("Checks an evidence export (rows against their seals, missing or moved rows, the signed manifest) with the checkpoint public key; no database needed", Name = Verb)]
public sealed class VerifyExportCommand : JasperFxCommand<VerifyExportInput>
{
    public const string Verb = "verify-export";

    /// <summary>Runs this verb alone: no host, no configuration, no database.</summary>
    public static Task<int> RunAsync(string[] args) =>
        CommandExecutor.For(factory => factory.RegisterCommand<VerifyExportCommand>()).ExecuteAsync(args);

    public override bool Execute(VerifyExportInput input) => Run(input, Console.Out, Console.Error) == 0;

    /// <summary>The check, writing its report to <paramref name="output"/> and problems to <paramref name="errors"/>; returns the exit code.</summary>
    public static int Run(VerifyExportInput input, TextWriter output, TextWriter errors)
    {
        if (string.IsNullOrWhiteSpace(input.PublicKeyFlag))
        {
            errors.WriteLine("Give the portal's checkpoint public key: --public-key <PEM file or text>.");
            return 2;
        }
        if (!System.IO.File.Exists(input.File))
        {
            errors.WriteLine($"{input.File}: no such file.");
            return 2;
        }
        System.Security.Cryptography.ECDsa key;
        try { key = CheckpointKeys.Load(input.PublicKeyFlag, "--public-key", privateKey: false); }
        catch (FormatException e)
        {
            errors.WriteLine(e.Message);
            return 2;
        }
        using (key)
        {
            var result = ExportVerifier.VerifyFile(input.File, key);
            var m = result.Manifest;
            output.WriteLine(m is null
                ? $"Checked {result.Rows:N0} rows of {input.File} ({result.Format})."
                : $"Checked {result.Rows:N0} rows of {input.File} ({result.Format}): export {m.ExportId} by {m.ExportedBy} at {m.ExportedAt}, " +
                  $"filter {m.FilterDescription}, sequences {m.OldestSequence?.ToString() ?? "-"} to {m.NewestSequence?.ToString() ?? "-"}, sealed through {m.SealedThrough}" +
                  (m.Truncated ? ", cut at the row limit" : "") + ".");
            foreach (var problem in result.Problems.Take(Math.Max(1, input.MaxProblemsFlag)))
                errors.WriteLine($"BAD: {problem}.");
            if (result.Problems.Count > input.MaxProblemsFlag)
                errors.WriteLine($"BAD: {result.Problems.Count - input.MaxProblemsFlag:N0} more problems not listed (--max-problems).");
            if (!result.Intact)
            {
                errors.WriteLine($"{result.Problems.Count:N0} problem{(result.Problems.Count == 1 ? "" : "s")}: the file is not as the portal exported it.");
                return 1;
            }
            output.WriteLine($"Intact: every row is as the portal sealed it, and no row matching the filter between sequences {m!.OldestSequence} and {m.NewestSequence} is missing" +
                             (m.Checkpoint is { } cp ? $"; signed checkpoint: head {cp.Head} at sequence {cp.Sequence} (compare with verify-events --expect-head {cp.Head}@{cp.Sequence})." : "."));
            return 0;
        }
    }
}
