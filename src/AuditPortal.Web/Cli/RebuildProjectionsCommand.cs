using AuditPortal.Core.Common;
using JasperFx.CommandLine;
using Spectre.Console;

namespace AuditPortal.Web.Cli;

public sealed class RebuildProjectionsInput : NetCoreInput
{
    [Description("Rebuild only this projection (a name from projection-status); a member of a composite is rebuilt with it")]
    [FlagAlias("projection", 'p')]
    public string? ProjectionFlag { get; set; }

    [Description("Recompute only the read models of this stream id (wallet or job)")]
    [FlagAlias("stream", 's')]
    public string? StreamFlag { get; set; }

    [Description("Rebuild the projections concurrently instead of one after the other")]
    [FlagAlias("parallel")]
    public bool ParallelFlag { get; set; }
}

[Description("Rebuilds the read models from the events (pages keep reading the old tables until the new ones switch in)", Name = "rebuild-projections")]
public sealed class RebuildProjectionsCommand : JasperFxAsyncCommand<RebuildProjectionsInput>
{
    public override async Task<bool> Execute(RebuildProjectionsInput input)
    {
        using var host = input.BuildHost();
        // The portal applies its schema at startup; a verb run first on a database left by an older version would
        // otherwise fail on a read-model table that is not there yet.
        var behind = await ReadModelUpgrade.BehindAsync(host.Services.GetRequiredService<Marten.IDocumentStore>());
        if (behind.Length > 0)
        {
            AnsiConsole.MarkupLine($"The read-model tables {Markup.Escape(string.Join(", ", behind))} are not this version's: applying the schema first.");
            try
            {
                AnsiConsole.MarkupLine(Markup.Escape(await CliSchema.ApplyAsync(host)));
            }
            catch (Exception e) when (e is Npgsql.PostgresException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]Applying the schema failed: {Markup.Escape(e.Message)}. Run apply-schema as the schema owner (or start the portal), then rebuild.[/]");
                return false;
            }
        }
        var ops = host.Services.GetRequiredService<ProjectionOperations>();
        var actor = Actor.System("cli");

        if (input.StreamFlag is { } stream)
        {
            if (!Guid.TryParse(stream, out var streamId))
            {
                AnsiConsole.MarkupLine($"[red]'{Markup.Escape(stream)}' is not a stream id (a GUID).[/]");
                return false;
            }
            try
            {
                var rebuilt = await ops.RebuildStreamAsync(actor, streamId);
                AnsiConsole.MarkupLine($"Rebuilt {Markup.Escape(string.Join(", ", rebuilt))} for stream {streamId}.");
                return true;
            }
            catch (Exception e) when (e is ArgumentException or AccessDeniedException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
                return false;
            }
        }

        // One pass feeds every member of a composite: say so once, then report the pass's batches.
        var shards = ops.AsyncProjections();
        var chosen = input.ProjectionFlag is { } only
            ? shards.Where(s => string.Equals(s.Name, only, StringComparison.OrdinalIgnoreCase) || string.Equals(s.RunBy, only, StringComparison.OrdinalIgnoreCase)).Select(s => s.RunBy).ToHashSet()
            : shards.Select(s => s.RunBy).ToHashSet();
        foreach (var pass in shards.Where(s => chosen.Contains(s.RunBy)).GroupBy(s => s.RunBy))
            AnsiConsole.MarkupLine($"{Markup.Escape(pass.Key)}: [yellow]rebuilding[/] {Markup.Escape(string.Join(", ", pass.Select(s => s.Name)))} in one pass over the events");

        var progress = new ConsoleProgress();
        RebuildOutcome outcome;
        try
        {
            outcome = await ops.RebuildAsync(actor, new RebuildRequest(input.ProjectionFlag, input.ParallelFlag, MeasureBatchSizes: true), progress);
        }
        catch (Exception e) when (e is ArgumentException or AccessDeniedException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return false;
        }

        if (!outcome.Succeeded)
        {
            AnsiConsole.MarkupLine(
                $"[red]Rebuild of {Markup.Escape(outcome.FailedProjection ?? string.Join(", ", outcome.Projections))} failed at event " +
                $"{outcome.FailedSequence?.ToString() ?? "?"} ({Markup.Escape(outcome.FailedEventType ?? "unknown type")}): {Markup.Escape(outcome.Error ?? "")}[/]");
            return false;
        }

        // What was processed, per stream type, up to the mark the rebuild ran to: the same events the batches counted.
        var counts = await ops.CountEventsByStreamTypeAsync(outcome.Events);
        var table = new Table().AddColumn("Aggregate (stream type)").AddColumn(new TableColumn("Events").RightAligned());
        foreach (var c in counts) table.AddRow(Markup.Escape(c.StreamType), c.Events.ToString("N0"));
        table.AddRow("[bold]Total[/]", $"[bold]{counts.Sum(c => c.Events):N0}[/]");
        AnsiConsole.Write(table);

        // What each read model applied of that pass (the bulk pass counts the events it handed to each).
        if (outcome.EventsByReadModel is { Count: > 0 } byReadModel)
        {
            var models = new Table().AddColumn("Read model").AddColumn(new TableColumn("Events applied").RightAligned());
            foreach (var (model, applied) in byReadModel) models.AddRow(Markup.Escape(model), applied.ToString("N0"));
            AnsiConsole.Write(models);
        }

        var status = await ops.StatusAsync();
        foreach (var s in status.Where(s => outcome.Projections.Contains(s.Name)))
            AnsiConsole.MarkupLine($"{Markup.Escape(s.Name)}: [green]up to date[/], at {s.Position:N0} of {outcome.Events:N0}");
        AnsiConsole.MarkupLine($"Rebuilt {outcome.Projections.Length} read model(s) over {outcome.Events:N0} events in {outcome.Elapsed.TotalSeconds:F1} s: [bold]{outcome.EventsPerSecond:N0} events/s[/].");
        await SwitchFromPreviousVersionAsync(host);
        return true;
    }

    /// <summary>
    /// After a shape change the lists read the previous version until the new one has caught up: the rebuild has just
    /// made it complete, so switch now as the portal would (it does so at its next start otherwise).
    /// </summary>
    private static async Task SwitchFromPreviousVersionAsync(IHost host)
    {
        var database = host.Services.GetRequiredService<PortalDatabase>();
        var drop = host.Services.GetRequiredService<IConfiguration>().GetValue("Projections:DropPreviousReadModels", true);
        // The switch waits for the daemon's high-water mark, which only a running portal moves: a bounded wait.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (await ReadModelUpgrade.SwitchWhenCaughtUpAsync(host.Services.GetRequiredService<Marten.IDocumentStore>(),
                    database.MigrationConnectionString ?? database.ConnectionString, TimeSpan.FromMilliseconds(200), drop, wait.Token))
                AnsiConsole.MarkupLine($"The lists switched to the new version of the read models; the previous version was {(drop ? "dropped" : "kept (superseded)")}.");
        }
        catch (Exception e) when (e is OperationCanceledException or Npgsql.PostgresException)
        {
            // The rebuild itself succeeded; only the switch waits (e.g. a runtime role that may not drop the previous version).
            var why = e is Npgsql.PostgresException pg ? $" ({pg.MessageText})" : "";
            AnsiConsole.MarkupLine($"The previous version of the read models still answers the lists{Markup.Escape(why)}; the portal switches to the new one when it starts.");
        }
    }

    /// <summary>Prints each step synchronously (Progress&lt;T&gt; would post to the thread pool and interleave lines).</summary>
    private sealed class ConsoleProgress : IProgress<RebuildProgress>
    {
        private readonly Lock _gate = new();

        public void Report(RebuildProgress p)
        {
            lock (_gate)
            {
                AnsiConsole.WriteLine(
                    $"  {p.Projection}: batch {p.BatchEvents,8:N0} events, {p.BatchMiB ?? 0,6:F2} MiB, {p.BatchMilliseconds,7:F0} ms  " +
                    $"(at {p.Position:N0} of {p.HighWaterMark:N0}, {p.Percent:F0}%, {p.EventsPerSecond:N0} events/s, " +
                    (p.TimeLeft is { } left ? $"about {left.TotalSeconds:N0} s left)" : "estimating time left)"));
            }
        }
    }
}
