namespace AuditPortal.EndToEndTests.Accessibility;

/// <summary>
/// The portal with the keyboard only: Tab, Shift+Tab, Enter, Space and typing; not one mouse click. Every element
/// reached with Tab must show where the focus is.
/// </summary>
public class KeyboardJourneyTests(DemoPortalServer server) : IClassFixture<DemoPortalServer>
{
    [Fact]
    public async Task Given_support_on_the_keyboard_When_they_sign_in_open_a_wallet_and_grant_credits_Then_the_grant_is_recorded()
    {
        var page = await SignInWithKeyboardAsync("alice");

        // After a navigation the focus is on the page's heading (FocusOnNavigate); the skip link sits before the app bar and the
        // menu, and lands in the main content.
        await TabToAsync(page, page.Locator("#skip-to-main"), backwards: true);
        await Assertions.Expect(page.Locator("#skip-to-main")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#skip-to-main")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main-content")).ToBeFocusedAsync();

        await TabToAsync(page, page.Locator(".mud-nav-link[href='wallets']"), backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAsync(page, new Regex("/wallets$"));

        var firstWallet = page.Locator("a.wallet-link").First;
        var walletPath = await firstWallet.GetAttributeAsync("href");
        await TabToAsync(page, firstWallet);
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAsync(page, new Regex(Regex.Escape(walletPath!) + "$"));
        var before = int.Parse(await page.Locator("#wallet-balance").InnerTextAsync(), System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);

        await TabToAsync(page, page.Locator("#grant-amount"));
        await page.Keyboard.TypeAsync("7");
        await TabToAsync(page, page.Locator("#grant-reason"));
        await page.Keyboard.TypeAsync("Granted from the keyboard");
        await TabToAsync(page, page.Locator("#grant-submit"));
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Granted from the keyboard");
        await Assertions.Expect(page.Locator("#wallet-balance")).ToHaveTextAsync((before + 7).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator(".wallet-transaction").First).ToContainTextAsync("Granted 7 credits");
        await PortalServer.ScreenshotAsync(page, "keyboard-grant");
    }

    [Fact]
    public async Task Given_an_auditor_on_the_keyboard_When_they_filter_the_audit_explorer_and_open_an_event_Then_its_details_show()
    {
        var page = await SignInWithKeyboardAsync("carol");

        await TabToAsync(page, page.Locator(".mud-nav-link[href='audit']"));
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAsync(page, new Regex("/audit$"));

        await TabToAsync(page, page.Locator("#filter-actor"));
        await page.Keyboard.TypeAsync("alice");
        await TabToAsync(page, page.Locator("#filter-apply"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/audit\?actor=alice$"));
        // The list says which filter its rows answer; only then are they the filtered rows.
        await Assertions.Expect(page.Locator("#audit-feed")).ToHaveAttributeAsync("data-query", "?actor=alice");
        await Assertions.Expect(page.Locator("tr.audit-row").First).ToBeVisibleAsync();
        Assert.All(await page.Locator("tr.audit-row .audit-actor").AllInnerTextsAsync(), a => Assert.Equal("alice", a));

        var firstRow = page.Locator("tr.audit-row").First;
        var sequence = await firstRow.GetAttributeAsync("data-seq");
        await TabToAsync(page, firstRow.Locator(".audit-expand"));
        await page.Keyboard.PressAsync("Space");
        var details = page.Locator($".audit-event-details[data-seq='{sequence}']");
        await Assertions.Expect(details.Locator(".audit-payload")).ToBeVisibleAsync();
        await Assertions.Expect(details.Locator(".audit-metadata")).ToContainTextAsync("alice");

        // The permalink of the same event, opened with Enter.
        await TabToAsync(page, firstRow.Locator($"a[href='/audit/events/{sequence}']"));
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAsync(page, new Regex($"/audit/events/{sequence}$"));
        await Assertions.Expect(page.Locator(".audit-payload")).ToBeVisibleAsync();
        await PortalServer.ScreenshotAsync(page, "keyboard-audit");
    }

    private async Task<IPage> SignInWithKeyboardAsync(string user)
    {
        var page = await server.NewPageAsync("light");
        await page.GotoAsync(server.BaseUrl + "/account/signin?returnUrl=%2F");
        await TabToAsync(page, page.Locator("#username"));
        await page.Keyboard.TypeAsync(user);
        await TabToAsync(page, page.Locator("#password"));
        await page.Keyboard.TypeAsync("demo");
        await page.Keyboard.PressAsync("Enter");
        await ArrivedAsync(page, new Regex("/$"));
        return page;
    }

    /// <summary>After a navigation: the new address, the circuit interactive and the heading shown (focus starts there).</summary>
    private static async Task ArrivedAsync(IPage page, Regex url)
    {
        await Assertions.Expect(page).ToHaveURLAsync(url);
        await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-progress-linear:visible")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Presses Tab (or Shift+Tab) until <paramref name="target"/> has the focus; each element passed on the way must
    /// draw a focus indicator. Fails with the path taken when the target is not reached.
    /// </summary>
    private static async Task TabToAsync(IPage page, ILocator target, bool backwards = false, int maxPresses = 120)
    {
        var handle = await target.ElementHandleAsync();
        var path = new List<string>();
        for (var i = 0; i < maxPresses; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            var focus = await page.EvaluateAsync<FocusInfo>(
                """
                target => {
                    const el = document.activeElement;
                    const style = el ? getComputedStyle(el) : null;
                    return {
                        reached: !!el && (el === target || target.contains(el)),
                        name: el ? (el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/)[0] : '')) : 'none',
                        // A date or time field's calendar button is a Tab stop inside the browser's own shadow tree,
                        // which draws its focus ring there, out of reach of the page's styles and scripts.
                        visible: el === document.body || /^(date|datetime-local|time|month|week)$/.test(el.type || '') || (!!style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1),
                    };
                }
                """, handle);
            path.Add(focus.Name);
            Assert.True(focus.Visible, $"The focus on {focus.Name} is not visible (no outline). Path: {string.Join(" → ", path)}");
            if (focus.Reached) return;
        }
        Assert.Fail($"{maxPresses} × {(backwards ? "Shift+Tab" : "Tab")} did not reach {target}. Path: {string.Join(" → ", path)}");
    }

    private sealed class FocusInfo
    {
        public bool Reached { get; set; }
        public string Name { get; set; } = "";
        public bool Visible { get; set; }
    }
}
