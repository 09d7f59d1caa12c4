using MicoPortal.Client.Layout;
using MicoPortal.Client.Tests.Mocks;
using Microsoft.AspNetCore.Components;

namespace MicoPortal.Client.Tests;

public class MainLayoutTests : PortalTestContext
{
    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p class=\"page-body\">body</p>"))));

    [Fact]
    public void Shows_the_product_navigation_user_and_live_state_and_starts_the_hub_once()
    {
        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Equal("admin@micoportal.local", cut.Find(".current-user").TextContent.Trim()));
        Assert.Contains("MicoPortal", cut.Find(".mud-appbar").TextContent);
        var nav = cut.Find(".mud-navmenu").TextContent;
        Assert.Contains("Overview", nav);
        Assert.Contains("Orders", nav);
        Assert.Contains("Failed deliveries", nav);
        Assert.Contains("Providers", nav);
        Assert.Equal("Live", cut.Find(".connection-indicator").TextContent.Trim());
        Assert.NotNull(cut.Find(".page-body"));
        Assert.Equal(1, Hub.StartCalls);
    }

    [Fact]
    public void Admins_see_the_admin_pages_in_the_navigation()
    {
        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Contains("API keys", cut.Find(".mud-navmenu").TextContent));
        Assert.Contains("Users", cut.Find(".admin-nav").TextContent);
        var links = cut.FindAll(".admin-nav a").Select(a => (a.GetAttribute("href"), a.TextContent.Trim())).ToList();
        Assert.Contains(("admin/reconciliations", "Reconciliation"), links);
        Assert.Contains(("admin/audit", "Audit ledger"), links);
        Assert.Contains(("admin/notifications", "Notifications"), links);
        Assert.Contains(("admin/webhooks", "Webhooks"), links);
    }

    [Fact]
    public void Operations_users_do_not_see_the_admin_pages()
    {
        Api.CurrentUser = TestData.Operations;

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Equal("ops@micoportal.local", cut.Find(".current-user").TextContent.Trim()));
        Assert.Empty(cut.FindAll(".admin-nav"));
        Assert.Single(cut.FindAll(".mud-navmenu a[href='providers']")); // every operator may look at the providers
        Assert.DoesNotContain("API keys", cut.Find(".mud-navmenu").TextContent);
        Assert.DoesNotContain("Reconciliation", cut.Find(".mud-navmenu").TextContent);
        Assert.DoesNotContain("Audit ledger", cut.Find(".mud-navmenu").TextContent);
        Assert.Empty(cut.FindAll("a[href='admin/reconciliations'], a[href='admin/audit'], a[href='admin/notifications'], a[href='admin/webhooks']"));
    }

    [Fact]
    public void Signed_out_shows_a_sign_in_link_instead_of_an_email()
    {
        Api.CurrentUser = null;

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.Contains("Sign in", cut.Find(".mud-appbar").TextContent));
        Assert.Empty(cut.FindAll(".current-user"));
    }

    [Fact]
    public void The_dark_mode_toggle_is_remembered_in_local_storage()
    {
        var cut = RenderLayout();

        cut.Find("button[aria-label='Toggle dark mode']").Click();

        // The click's handler writes to local storage asynchronously: wait for the call instead of assuming it was made.
        JSRuntimeInvocation call = default;
        cut.WaitForAssertion(() => call = JSInterop.VerifyInvoke("localStorage.setItem"));
        Assert.Equal(["micoportal.darkMode", "true"], call.Arguments.Select(a => a?.ToString() ?? "").ToList());
    }
}
