namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>Set-up commands sent straight to the portal's services (imported statically in the project file).</summary>
public static class CommandChecks
{
    /// <summary>A set-up command must be accepted; otherwise the test fails with the portal's reason, not later on a missing row.</summary>
    public static void Ok(CommandResult result) => Assert.True(result.Succeeded, result.Message);
}
