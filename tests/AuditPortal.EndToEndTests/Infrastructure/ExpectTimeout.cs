using System.Runtime.CompilerServices;

namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// One patience for every expectation of the suite. Playwright's default (5 s) is tuned for a developer's laptop;
/// CI runs this project beside three others on two shared cores, where a circuit has been seen to take more than
/// 5 s to become interactive (load average above 30). An expectation still fails when its condition never holds:
/// this bounds how long a slow machine may take, it does not wait around a race in the product.
/// </summary>
internal static class ExpectTimeout
{
    public const float Milliseconds = 15_000;

    [ModuleInitializer]
    internal static void Apply() => Assertions.SetDefaultExpectTimeout(Milliseconds);
}
