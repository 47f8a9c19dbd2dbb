using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuditPortal.Benchmarks;

/// <summary>One row of the results table; <see cref="Values"/> holds its numbers for the JSON record.</summary>
public sealed record BenchRow(string Measure, string Result, string Target, string Verdict, string Kind, Dictionary<string, double> Values);

/// <summary>Writes a run's results (every measure, target, verdict, the machine and the versions) as JSON beside the table.</summary>
public static partial class BenchmarkJson
{
    public static async Task WriteAsync(string path, string[] args, int events, IReadOnlyList<BenchRow> rows, string machine, string postgresVersion)
    {
        var record = new
        {
            startedWith = args,
            events,
            finishedAt = DateTimeOffset.UtcNow,
            machine = new
            {
                description = machine,
                cores = Environment.ProcessorCount,
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                loadAverage = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Trim() : null,
            },
            versions = new
            {
                dotnet = Environment.Version.ToString(),
                postgres = postgresVersion,
                marten = VersionOf(typeof(Marten.DocumentStore).Assembly),
                jasperFxEvents = VersionOf(typeof(JasperFx.Events.IEvent).Assembly),
                npgsql = VersionOf(typeof(Npgsql.NpgsqlConnection).Assembly),
            },
            measures = rows.Select(r => new
            {
                measure = r.Measure.Trim(),
                result = Plain(r.Result),
                target = Plain(r.Target),
                // "met" / "missed" for targets; "reference" rows are comparisons only and never count as missed.
                verdict = r.Kind == "target" ? Plain(r.Verdict) : null,
                kind = r.Kind,
                values = r.Values,
            }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string? VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString();

    /// <summary>The text without Spectre markup such as <c>[green]met[/]</c>.</summary>
    private static string Plain(string text) => Markup().Replace(text, "");

    [GeneratedRegex(@"\[/?[a-z ]*\]")]
    private static partial Regex Markup();
}

public sealed record CpuProfile(double AppSeconds, double PostgresSeconds)
{
    public string Describe(TimeSpan wall) =>
        $"portal {AppSeconds:F1} s CPU ({AppSeconds / wall.TotalSeconds:F2} cores), PostgreSQL {PostgresSeconds:F1} s CPU ({PostgresSeconds / wall.TotalSeconds:F2} cores) in {wall.TotalSeconds:F1} s";
}

/// <summary>
/// CPU time spent by this process and by the benchmark's own PostgreSQL cluster (its postmaster and backends, read from
/// /proc) during a phase: tells whether .NET or the database bounds a rebuild.
/// </summary>
public sealed class CpuClock
{
    private readonly string _dataDirectory;
    private readonly TimeSpan _app;
    private readonly Dictionary<int, double> _postgres;

    private CpuClock(string dataDirectory)
    {
        _dataDirectory = dataDirectory;
        _app = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _postgres = PostgresSeconds(dataDirectory);
    }

    public static CpuClock Start(string dataDirectory) => new(dataDirectory);

    public CpuProfile Stop()
    {
        var app = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _app;
        var now = PostgresSeconds(_dataDirectory);
        // Backends that ended during the phase are not counted: the pooled connections doing the work stay open.
        var postgres = now.Sum(p => p.Value - _postgres.GetValueOrDefault(p.Key));
        return new CpuProfile(app.TotalSeconds, postgres);
    }

    private static Dictionary<int, double> PostgresSeconds(string dataDirectory)
    {
        var result = new Dictionary<int, double>();
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), out var postmaster)) return result;
        var ticks = 100.0; // USER_HZ on Linux
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command name in parentheses: state ppid ... utime(14) stime(15).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1]);
                if (pid != postmaster && ppid != postmaster) continue;
                result[pid] = (long.Parse(fields[11]) + long.Parse(fields[12])) / ticks;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read.
            }
        }
        return result;
    }
}
