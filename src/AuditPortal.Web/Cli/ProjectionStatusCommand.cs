using JasperFx.CommandLine;
using Spectre.Console;

namespace AuditPortal.Web.Cli;

public sealed class ProjectionStatusInput : NetCoreInput;

[Description("Prints each projection's status, position, high-water mark and lag", Name = "projection-status")]
public sealed class ProjectionStatusCommand : JasperFxAsyncCommand<ProjectionStatusInput>
{
    public override async Task<bool> Execute(ProjectionStatusInput input)
    {
        using var host = input.BuildHost();
        var ops = host.Services.GetRequiredService<ProjectionOperations>();
        var status = await ops.StatusAsync();
        var table = new Table()
            .AddColumns("Projection", "Status")
            .AddColumn(new TableColumn("Position").RightAligned())
            .AddColumn(new TableColumn("High-water mark").RightAligned())
            .AddColumn(new TableColumn("Lag (events)").RightAligned())
            .AddColumn(new TableColumn("Lag (s)").RightAligned())
            .AddColumn("Last error");
        foreach (var s in status)
        {
            var error = s.LastError is null ? "" : $"{s.LastError} (event {s.FailedSequence?.ToString() ?? "?"}, {s.FailedEventType ?? "?"})";
            table.AddRow(Markup.Escape(s.Name), s.State.ToString(), s.Position.ToString("N0"), s.HighWaterMark.ToString("N0"),
                s.LagEvents.ToString("N0"), s.LagSeconds.ToString("F1"), Markup.Escape(error));
        }
        AnsiConsole.Write(table);
        return status.All(s => s.State is not (ProjectionState.Failed or ProjectionState.Paused));
    }
}
