using AuditPortal.Core.Database;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AuditPortal.IntegrationTests.Audit;

/// <summary>Events by two users on three wallets, all sealed, and the checkpoint key pair the exports are signed with.</summary>
public sealed class EvidenceFixture : PortalHostFixture, IAsyncLifetime
{
    public ECDsa SigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public ECDsa PublicKey => CheckpointKeys.PublicOf(SigningKey);

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await GrantPersonaAsync("alice", Personas.Support);
        await GrantPersonaAsync("sam", Personas.Support);
        var wallets = Get<WalletService>();
        foreach (var user in new[] { "alice", "sam", "alice" })
        {
            var actor = Actor(user);
            var id = Guid.CreateVersion7();
            Check(await wallets.OpenAsync(actor, Guid.CreateVersion7(), id, "owner, \"quoted\""));
            Check(await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 10, "=HYPERLINK(\"x\")", null));
            Check(await wallets.SpendAsync(actor, Guid.CreateVersion7(), id, 4, "b", null));
            Check(await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 1, "c", null));
        }
        await using var conn = await PortalSql.OpenAsync(ConnectionString);
        await EventSeals.SealCommittedAsync(conn, Store.Options.Events.DatabaseSchemaName);
    }

    /// <summary>An evidence export as the export endpoint writes it (same feed, evidence and writer).</summary>
    public async Task<string> ExportAsync(string format, AuditFilter filter, ECDsa? key = null, int maxRows = 1000)
    {
        var actor = Core.Common.Actor.System("evidence-test");
        var feed = new AuditFeed(Store, new FixedActor(actor));
        var evidence = await ExportEvidence.ForStoreAsync(Store, Guid.CreateVersion7(), "carol", DateTimeOffset.UtcNow, filter, () => feed.TextScanLow, key ?? SigningKey);
        using var output = new MemoryStream();
        var rows = feed.ReadAllAsync(filter, maxRows + 1, default, evidence.SealedThrough);
        if (format == AuditExport.Csv) await AuditExport.WriteCsvAsync(rows, output, maxRows, null, default, evidence);
        else await AuditExport.WriteJsonAsync(rows, output, maxRows, null, default, evidence);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static void Check(CommandResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(result.Message);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        SigningKey.Dispose();
        await DisposeAsync();
    }
}

/// <summary>
/// Item 5 of issue 26: an evidence export checks with nothing but the file and the public key, and every kind of
/// tampering is named by its row (CSV line or JSON row, and sequence).
/// </summary>
public sealed class EvidenceExportTests(EvidenceFixture fixture, ITestOutputHelper output) : IClassFixture<EvidenceFixture>
{
    private static readonly AuditFilter Sam = new() { Actor = "sam" };

    private ExportVerification Verify(string text, string label)
    {
        var result = ExportVerifier.Verify(text, fixture.PublicKey);
        output.WriteLine($"{label}: {result.Rows} rows, {(result.Intact ? "intact" : $"{result.Problems.Count} problems")}");
        foreach (var p in result.Problems) output.WriteLine($"  BAD: {p}");
        return result;
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_an_untouched_evidence_export_When_verified_Then_it_passes_and_its_checkpoint_is_on_the_database_chain(string format)
    {
        var all = Verify(await fixture.ExportAsync(format, AuditFilter.None), $"{format}, no filter");
        var sam = Verify(await fixture.ExportAsync(format, Sam), $"{format}, actor=sam");

        Assert.True(all.Intact);
        Assert.True(sam.Intact);
        Assert.Equal(4, sam.Rows);
        Assert.Equal(sam.Rows, sam.Manifest!.Rows);
        Assert.Equal("sam", sam.Manifest.Filter.Actor);
        // The checkpoint signs the newest row's seal: the database's own chain reaches it (what verify-events checks).
        var cp = all.Manifest!.Checkpoint!;
        await using var conn = await PortalSql.OpenAsync(fixture.ConnectionString);
        var chain = await EventSeals.VerifyAsync(conn, fixture.Store.Options.Events.DatabaseSchemaName, [new ExpectedHead(cp.Head, cp.Sequence, "the export")]);
        Assert.True(chain.Intact);
        Assert.Equal(cp.Sequence, chain.LastSealedSequence);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_an_edited_cell_When_verified_Then_its_row_is_named(string format)
    {
        var export = Export.Parse(await fixture.ExportAsync(format, Sam), format);
        var summary = export.Edit(1, "summary", s => s + " (and 1000 more)");
        var actor = export.Edit(2, "actor", _ => "mallory");

        var summaryResult = Verify(summary.Text, $"{format}, summary of row 2 edited");
        var actorResult = Verify(actor.Text, $"{format}, actor of row 3 edited");

        var named = Assert.Single(summaryResult.Problems);
        Assert.Equal(export.Sequence(1), named.Sequence);
        Assert.Equal(export.Where(1), named.Where);
        Assert.Contains(actorResult.Problems, p => p.Sequence == export.Sequence(2) && p.Problem.Contains("\"mallory\", the sealed event says \"sam\"", StringComparison.Ordinal));
        Assert.All(actorResult.Problems, p => Assert.Equal(export.Sequence(2), p.Sequence));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_a_deleted_row_When_verified_Then_the_missing_sequence_and_the_row_after_it_are_named(string format)
    {
        var export = Export.Parse(await fixture.ExportAsync(format, Sam), format);
        var removed = export.Sequence(1);

        var result = Verify(export.Delete(1).Text, $"{format}, row 2 deleted");

        Assert.Contains(result.Problems, p => p.Sequence == export.Sequence(2) && p.Problem.Contains($"sequence {removed} just above it, which is missing", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Row is null && p.Problem.Contains("says 4 rows, the file has 3", StringComparison.Ordinal));
        // The oldest row removed: no row after it to notice, the manifest names it.
        var oldest = Verify(export.Delete(3).Text, $"{format}, last row deleted");
        Assert.Contains(oldest.Problems, p => p.Problem.Contains($"oldest row, sequence {export.Sequence(3)}, is missing", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_two_swapped_rows_When_verified_Then_both_are_named(string format)
    {
        var export = Export.Parse(await fixture.ExportAsync(format, Sam), format);

        var result = Verify(export.Swap(1, 2).Text, $"{format}, rows 2 and 3 swapped");

        Assert.Contains(result.Problems, p => p.Sequence == export.Sequence(1) && p.Problem.Contains("out of order", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Sequence == export.Sequence(2) && p.Problem.Contains("rows moved", StringComparison.Ordinal));
        Assert.All(result.Problems, p => Assert.Contains(p.Sequence, new long?[] { export.Sequence(1), export.Sequence(2), export.Sequence(3) }));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_a_row_from_another_export_When_verified_Then_it_is_named(string format)
    {
        var export = Export.Parse(await fixture.ExportAsync(format, Sam), format);
        // The same event, exported again with the same filter: identical cells, another export's chain.
        var again = Export.Parse(await fixture.ExportAsync(format, Sam), format);
        // An event the filter excludes, from an export of everything.
        var everything = Export.Parse(await fixture.ExportAsync(format, AuditFilter.None), format);
        var foreign = Enumerable.Range(0, everything.Count).First(i => everything.Cell(i, "actor") == "alice" && everything.Sequence(i) < export.Sequence(3));

        var replaced = Verify(export.Replace(1, again, 1).Text, $"{format}, row 2 taken from another export of the same filter");
        var inserted = Verify(export.Insert(4, everything, foreign).Text, $"{format}, a row of another export added after the last row");

        var named = Assert.Single(replaced.Problems);
        Assert.Equal(export.Sequence(1), named.Sequence);
        Assert.Contains("another export", named.Problem, StringComparison.Ordinal);
        Assert.Contains(inserted.Problems, p => p.Sequence == everything.Sequence(foreign) && p.Problem.Contains("actor is not \"sam\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_a_forged_checkpoint_When_verified_Then_the_checkpoint_is_named(string format)
    {
        var export = Export.Parse(await fixture.ExportAsync(format, Sam), format);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuine = export.Manifest["checkpoint"]!;
        var forgedCheckpoint = Checkpoint.Create((long)genuine["sequence"]!, (string)genuine["head"]!, DateTimeOffset.UtcNow, forger);
        // A whole export signed with another key (its own checkpoint and manifest) is refused too.
        var signedByAnother = Verify(await fixture.ExportAsync(format, Sam, forger), $"{format}, signed with another key");

        var result = Verify(export.WithCheckpoint(EvidenceCheckpoint.From(forgedCheckpoint)).Text, $"{format}, checkpoint re-signed with another key");

        Assert.Contains(result.Problems, p => p.Row is null && p.Problem.Contains($"checkpoint (sequence {export.Sequence(0)}) has a signature the public key does not confirm", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Row is null && p.Problem.Contains("manifest's signature", StringComparison.Ordinal));
        Assert.Contains(signedByAnother.Problems, p => p.Problem.Contains("checkpoint", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_files_that_are_not_evidence_exports_When_verified_Then_each_fails_with_a_reason_and_nothing_throws()
    {
        var plain = new MemoryStream();
        await AuditExport.WriteCsvAsync(new AuditFeed(fixture.Store, new FixedActor(Core.Common.Actor.System("t"))).ReadAllAsync(Sam), plain);
        var json = await fixture.ExportAsync(AuditExport.Json, Sam);
        string[] files =
        [
            "", "{}", "[]", "a,b\r\n", Encoding.UTF8.GetString(plain.ToArray()),
            json.Replace("\"sealedThrough\":", "\"sealedThrough\":\"x\",\"was\":", StringComparison.Ordinal),
            json[..(json.Length / 2)],
        ];

        foreach (var file in files)
        {
            var result = Verify(file, $"{file.Length} characters");
            Assert.False(result.Intact);
        }
    }

    [Fact]
    public async Task Given_a_tampered_export_When_verify_export_runs_without_database_or_settings_Then_it_names_the_row_and_exits_1()
    {
        var folder = Directory.CreateTempSubdirectory("verify-export-");
        var keyFile = Path.Combine(folder.FullName, "checkpoint-public.pem");
        await File.WriteAllTextAsync(keyFile, fixture.PublicKey.ExportSubjectPublicKeyInfoPem());
        var export = Export.Parse(await fixture.ExportAsync(AuditExport.Csv, Sam), AuditExport.Csv);
        var intact = Path.Combine(folder.FullName, "audit-evidence.csv");
        var tampered = Path.Combine(folder.FullName, "audit-evidence-tampered.csv");
        await File.WriteAllTextAsync(intact, export.Text);
        await File.WriteAllTextAsync(tampered, export.Edit(1, "summary", s => s + " (and 1000 more)").Text);

        var good = await RunAsync(folder.FullName, "verify-export", intact, "--public-key", keyFile);
        var bad = await RunAsync(folder.FullName, "verify-export", tampered, "--public-key", keyFile);

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("Intact: every row is as the portal sealed it", good.Output, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"BAD: line 3 (sequence {export.Sequence(1)}): its cells are not the ones the portal wrote here", bad.Output, StringComparison.Ordinal);
    }

    /// <summary>The portal's build output as the receiver runs it: no connection string, no settings, an empty working folder.</summary>
    private async Task<(int ExitCode, string Output)> RunAsync(string folder, params string[] args)
    {
        var psi = PortalExecutable.StartInfo([new("ConnectionStrings__Marten", ""), new("Database__PostgresBinDirectory", "/nonexistent")], args);
        psi.WorkingDirectory = folder;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = (await stdout) + (await stderr);
        output.WriteLine($"$ verify-export {Path.GetFileName(args[1])} --public-key {Path.GetFileName(args[3])}   (exit code {process.ExitCode})\n{text}");
        return (process.ExitCode, text);
    }

    /// <summary>An evidence export's rows and manifest, for tampering as someone with a text editor would.</summary>
    private sealed class Export
    {
        private readonly string _format;
        private readonly List<string?[]> _rows;
        private readonly string[] _names;
        private readonly string _header = "";
        public JsonObject Manifest { get; }

        private Export(string format, string[] names, List<string?[]> rows, JsonObject manifest, string header)
        {
            (_format, _names, _rows, Manifest, _header) = (format, names, rows, manifest, header);
        }

        public static Export Parse(string text, string format)
        {
            if (format == AuditExport.Json)
            {
                var root = JsonNode.Parse(text)!.AsObject();
                var names = AuditExport.JsonNames.Concat(ExportEvidence.JsonColumns).ToArray();
                var rows = root["rows"]!.AsArray().Select(r => names.Select(n => r![n] is JsonValue v ? v.ToJsonString().StartsWith('"') ? v.GetValue<string>() : v.ToJsonString() : null).ToArray()).ToList();
                return new Export(format, names, rows, root["evidence"]!.AsObject(), "");
            }
            var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var cells = lines.Select(ParseCsvLine).ToList();
            var manifest = JsonNode.Parse(cells[^1][Array.IndexOf(AuditExport.Header, "summary")]!)!.AsObject();
            return new Export(format, [.. AuditExport.Header, .. ExportEvidence.CsvColumns], [.. cells.Skip(1).SkipLast(1)], manifest, lines[0]);
        }

        public int Count => _rows.Count;
        public string? Cell(int row, string column) => _rows[row][Array.IndexOf(AuditExport.Header, column)];
        public long Sequence(int row) => long.Parse(_rows[row][0]!);
        public string Where(int row) => _format == AuditExport.Csv ? $"line {row + 2} (sequence {Sequence(row)})" : $"row {row + 1} (sequence {Sequence(row)})";

        private Export With(List<string?[]> rows, JsonObject? manifest = null) => new(_format, _names, rows, manifest ?? Manifest, _header);

        public Export Edit(int row, string column, Func<string?, string?> change)
        {
            var rows = _rows.Select(r => (string?[])r.Clone()).ToList();
            var i = Array.IndexOf(AuditExport.Header, column);
            rows[row][i] = change(rows[row][i]);
            return With(rows);
        }

        public Export Delete(int row) => With([.. _rows.Where((_, i) => i != row)]);

        public Export Swap(int a, int b)
        {
            var rows = _rows.ToList();
            (rows[a], rows[b]) = (rows[b], rows[a]);
            return With(rows);
        }

        public Export Replace(int row, Export other, int otherRow)
        {
            var rows = _rows.ToList();
            rows[row] = other._rows[otherRow];
            return With(rows);
        }

        public Export Insert(int at, Export other, int otherRow)
        {
            var rows = _rows.ToList();
            rows.Insert(at, other._rows[otherRow]);
            return With(rows);
        }

        public Export WithCheckpoint(EvidenceCheckpoint checkpoint)
        {
            var manifest = Manifest.DeepClone().AsObject();
            manifest["checkpoint"] = new JsonObject
            {
                ["sequence"] = checkpoint.Sequence, ["head"] = checkpoint.Head, ["at"] = checkpoint.At, ["signature"] = checkpoint.Signature, ["alg"] = checkpoint.Alg,
            };
            return With(_rows, manifest);
        }

        public string Text
        {
            get
            {
                if (_format == AuditExport.Json)
                {
                    var rows = new JsonArray();
                    foreach (var r in _rows)
                    {
                        var o = new JsonObject();
                        for (var i = 0; i < _names.Length; i++)
                            o[_names[i]] = r[i] is null ? null : _names[i] is "sequence" or "version" or "precedingSequence" ? JsonValue.Create(long.Parse(r[i]!)) : JsonValue.Create(r[i]);
                        rows.Add(o);
                    }
                    return new JsonObject { ["rows"] = rows, ["evidence"] = Manifest.DeepClone() }.ToJsonString();
                }
                var text = new StringBuilder(_header).Append("\r\n");
                foreach (var r in _rows) text.Append(AuditExport.CsvRow([.. r.Select(c => c ?? "")]));
                var last = new string[_names.Length];
                Array.Fill(last, "");
                last[0] = ExportEvidence.CsvMarker;
                last[Array.IndexOf(AuditExport.Header, "summary")] = Manifest.ToJsonString();
                return text.Append(AuditExport.CsvRow(last)).ToString();
            }
        }

        /// <summary>One CSV record on one line (these exports have no line breaks inside cells).</summary>
        private static string?[] ParseCsvLine(string line) => [.. Csv.Parse(line).Single()];
    }
}

/// <summary>What evidence costs on a larger export: 20,000 imported events, exported whole with and without evidence.</summary>
public sealed class EvidenceExportSizeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EvidenceFixture _fixture = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_fixture).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_fixture).DisposeAsync();

    [Fact]
    public async Task Given_20000_events_When_exported_with_evidence_Then_every_row_verifies_and_the_cost_is_printed()
    {
        await AuditPortal.Core.DemoData.BulkHistory.GenerateAsync(_fixture.Store,
            new AuditPortal.Core.DemoData.BulkHistoryOptions { TotalEvents = 20_000, Wallets = 1_000, StreamsPerBatch = 500 });
        await using (var conn = await PortalSql.OpenAsync(_fixture.ConnectionString))
        {
            await EventSeals.SealCommittedAsync(conn, _fixture.Store.Options.Events.DatabaseSchemaName);
        }
        var feed = new AuditFeed(_fixture.Store, new FixedActor(Core.Common.Actor.System("evidence-test")));
        using var plain = new MemoryStream();
        var clock = Stopwatch.StartNew();
        var rows = await AuditExport.WriteCsvAsync(feed.ReadAllAsync(AuditFilter.None), plain);
        var plainTime = clock.Elapsed;

        foreach (var format in new[] { AuditExport.Csv, AuditExport.Json })
        {
            clock.Restart();
            var text = await _fixture.ExportAsync(format, AuditFilter.None, maxRows: 100_000);
            var exportTime = clock.Elapsed;
            clock.Restart();
            var result = ExportVerifier.Verify(text, _fixture.PublicKey);
            var verifyTime = clock.Elapsed;

            Assert.True(result.Intact, string.Join("\n", result.Problems.Take(5)));
            Assert.Equal(rows, result.Rows);
            output.WriteLine($"{format}: {rows:N0} rows; plain CSV {plain.Length / 1024.0 / 1024:N1} MB in {plainTime.TotalSeconds:N2} s; " +
                             $"with evidence {Encoding.UTF8.GetByteCount(text) / 1024.0 / 1024:N1} MB in {exportTime.TotalSeconds:N2} s; verified in {verifyTime.TotalSeconds:N2} s; " +
                             $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        Assert.True(rows > 20_000);
    }
}
