namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// The wallet page's grant and spend forms as a user fills them. <c>form</c> is "grant" or "spend": the prefix of the
/// forms' element ids (#grant-amount, #spend-reason, ...).
/// </summary>
public static class WalletForms
{
    public static async Task SubmitWalletFormAsync(this IPage page, string form, string amount, string reason)
    {
        await page.Locator($"#{form}-amount").FillAsync(amount);
        await page.Locator($"#{form}-reason").FillAsync(reason);
        await page.Locator($"#{form}-submit").ClickAsync();
    }

    /// <summary>What the user typed is still in the form (a refusal or a live refresh must not clear it).</summary>
    public static async Task ExpectWalletFormInputAsync(this IPage page, string form, string amount, string reason)
    {
        await Assertions.Expect(page.Locator($"#{form}-amount")).ToHaveValueAsync(amount);
        await Assertions.Expect(page.Locator($"#{form}-reason")).ToHaveValueAsync(reason);
    }
}
