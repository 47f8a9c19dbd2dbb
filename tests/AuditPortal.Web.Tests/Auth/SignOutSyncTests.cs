using Microsoft.Extensions.Logging;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>A skipped sign-out row is logged once per node, with its writer's text escaped.</summary>
public class SignOutSyncTests
{
    [Fact]
    public void Given_a_skipped_row_with_a_line_break_When_reported_twice_Then_it_is_logged_once_on_one_line()
    {
        var logger = new ListLogger();
        var reported = new HashSet<long>();
        SkippedSignOut[] rows = [new(41, "its time 9999-12-31 23:59:59 UTC is in the future (user eve\n[12:00:00 INF] admin signed in)")];

        SignOutSync.ReportSkipped(logger, rows, reported);
        SignOutSync.ReportSkipped(logger, rows, reported);

        var line = Assert.Single(logger.Lines);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("sequence 41", line);
        Assert.Contains("eve\\n[12:00:00 INF] admin signed in", line);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
