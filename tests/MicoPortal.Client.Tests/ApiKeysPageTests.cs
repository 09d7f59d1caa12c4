using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Tests;

public class ApiKeysPageTests : PortalTestContext
{
    public ApiKeysPageTests()
    {
        Admin.Keys.Add(new ShopApiKeyDto(1, "coins-store", "checkout server", "mp_AbC123", TestData.Now.AddDays(-3), "admin@micoportal.local", null, null, TestData.Now.AddMinutes(-2)));
        Admin.Keys.Add(new ShopApiKeyDto(2, "coins-store", "old server", "mp_XyZ789", TestData.Now.AddDays(-30), "admin@micoportal.local", TestData.Now.AddDays(-1), "ops-lead@micoportal.local", null));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<ApiKeys>();
        cut.WaitForAssertion(() => Assert.Equal(Admin.Keys.Count, cut.FindAll("tr.api-key").Count));
        return cut;
    }

    private static void Fill(IRenderedComponent<TestHost> cut, string cssClass, string value) =>
        cut.Find($".{cssClass} input").Input(value);

    [Fact]
    public void Lists_keys_by_prefix_with_their_state_and_offers_revoke_only_for_active_ones()
    {
        var cut = RenderPage();

        var active = cut.Find("tr.api-key[data-key-id='1']").TextContent;
        Assert.Contains("mp_AbC123…", active);
        Assert.Contains("Active", active);
        var revoked = cut.Find("tr.api-key[data-key-id='2']");
        Assert.Contains("Revoked", revoked.TextContent);
        Assert.Contains("ops-lead@micoportal.local", revoked.TextContent);
        Assert.Null(revoked.QuerySelector("button.revoke-key"));
        Assert.Single(cut.FindAll("button.revoke-key"));
    }

    [Fact]
    public void A_created_key_is_shown_once_above_the_list_and_the_list_gains_only_its_prefix()
    {
        var cut = RenderPage();
        Assert.True(cut.Find("button.create-key").HasAttribute("disabled"));

        Fill(cut, "new-key-shop", "gem-shop");
        Fill(cut, "new-key-name", "mobile app backend");
        cut.Find("button.create-key").Click();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.api-key").Count));
        var created = Assert.Single(Admin.CreatedKeys);
        Assert.Equal(new CreateShopApiKeyRequest("gem-shop", "mobile app backend"), created);
        var key = cut.Find(".created-key-value").TextContent;
        Assert.StartsWith("mp_", key);
        Assert.Contains("not shown again", cut.Find(".created-key").TextContent);
        Assert.DoesNotContain(key, cut.Find(".api-keys").TextContent);

        cut.Find(".created-key button[aria-label='Copy key']").Click();
        cut.WaitForAssertion(() => Assert.Equal(key, JSInterop.VerifyInvoke("navigator.clipboard.writeText").Arguments.Single()));
    }

    [Fact]
    public void A_refused_key_shows_the_servers_reason_and_no_key()
    {
        Admin.CreateFailure = "'portal' is reserved for orders placed by operators.";
        var cut = RenderPage();

        Fill(cut, "new-key-shop", "portal");
        Fill(cut, "new-key-name", "x");
        cut.Find("button.create-key").Click();

        cut.WaitForAssertion(() => Assert.Contains("is reserved for orders placed by operators", cut.Markup));
        Assert.Empty(cut.FindAll(".created-key"));
    }

    [Fact]
    public void Revoke_asks_first_then_shows_the_key_as_revoked()
    {
        var cut = RenderPage();

        cut.Find("button.revoke-key").Click();
        cut.WaitForAssertion(() => Assert.Contains("cannot be undone", cut.Find(".mud-dialog").TextContent));
        Assert.Empty(Admin.RevokedKeys);
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        cut.WaitForAssertion(() => Assert.Equal([1L], Admin.RevokedKeys));
        cut.WaitForAssertion(() => Assert.Contains("Revoked", cut.Find("tr.api-key[data-key-id='1']").TextContent));
        Assert.Empty(cut.FindAll("button.revoke-key"));
    }

    [Fact]
    public void A_load_failure_is_shown_with_a_retry()
    {
        Admin.LoadError = new PortalApiException("Only an Admin may do this.", 403);
        var cut = RenderInHost<ApiKeys>();

        cut.WaitForAssertion(() => Assert.Contains("Only an Admin may do this.", cut.Markup));
        Assert.Empty(cut.FindAll("tr.api-key"));
    }
}
