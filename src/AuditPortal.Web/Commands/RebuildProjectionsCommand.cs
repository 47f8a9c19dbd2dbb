using AuditPortal.Core.Common;
using AuditPortal.Core.Projections;
using JasperFx.CommandLine;
using Spectre.Console;

namespace AuditPortal.Web.Commands;

public sealed class RebuildProjectionsInput : NetCoreInput
{
    [Description("Rebuild only this projection (a name from projection-status)")]
    [FlagAlias("projection", 'p')]
    public string? ProjectionFlag { get; set; }

    [Description("Recompute only the read models of this stream id (wallet or job)")]
    [FlagAlias("stream", 's')]
    public string? StreamFlag { get; set; }

    [Description("Rebuild the projections concurrently instead of one after the other")]
    [FlagAlias("parallel")]
    public bool ParallelFlag { get; set; }
}

[Description("Truncates and rebuilds the read models from the events", Name = "rebuild-projections")]
public sealed class RebuildProjectionsCommand : JasperFxAsyncCommand<RebuildProjectionsInput>
{
    public override async Task<bool> Execute(RebuildProjectionsInput input)
    {
        using var host = input.BuildHost();
        var ops = host.Services.GetRequiredService<ProjectionOperations>();
        var actor = Actor.System($"console:{Environment.UserName}");

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
            catch (ArgumentException e)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
                return false;
            }
        }

        var counts = await ops.CountEventsByStreamTypeAsync();
        var table = new Table().AddColumn("Aggregate (stream type)").AddColumn(new TableColumn("Events").RightAligned());
        foreach (var c in counts) table.AddRow(Markup.Escape(c.StreamType), c.Events.ToString("N0"));
        table.AddRow("[bold]Total[/]", $"[bold]{counts.Sum(c => c.Events):N0}[/]");
        AnsiConsole.Write(table);

        var status = await ops.StatusAsync();
        var names = input.ProjectionFlag is { } only ? [only] : status.Select(s => s.Name).Distinct().ToArray();
        foreach (var n in names) AnsiConsole.MarkupLine($"{Markup.Escape(n)}: [yellow]rebuilding[/]");

        var progress = new ConsoleProgress();
        RebuildOutcome outcome;
        try
        {
            outcome = await ops.RebuildAsync(actor, new RebuildRequest(input.ProjectionFlag, input.ParallelFlag, MeasureBatchSizes: true), progress);
        }
        catch (ArgumentException e)
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
        foreach (var n in outcome.Projections) AnsiConsole.MarkupLine($"{Markup.Escape(n)}: [green]up to date[/]");
        AnsiConsole.MarkupLine($"Rebuilt {outcome.Projections.Length} projection(s) over {outcome.Events:N0} events in {outcome.Elapsed.TotalSeconds:F1} s: [bold]{outcome.EventsPerSecond:N0} events/s[/].");
        return true;
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
                    $"(at {p.Position:N0} of {p.HighWaterMark:N0}, {p.Percent:F0}%)");
            }
        }
    }
}
