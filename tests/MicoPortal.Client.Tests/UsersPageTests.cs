using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Tests;

public class UsersPageTests : PortalTestContext
{
    public UsersPageTests()
    {
        Admin.Users.Add(new PortalUserDto("u-admin", "admin@micoportal.local", Roles.Admin, null, 0));
        Admin.Users.Add(new PortalUserDto("u-ops", "ops@micoportal.local", Roles.Operations, null, 2));
        Admin.Users.Add(new PortalUserDto("u-locked", "locked@micoportal.local", Roles.Operations, TestData.Now.AddMinutes(10), 5));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<Users>();
        cut.WaitForAssertion(() => Assert.Equal(Admin.Users.Count, cut.FindAll("tr.user").Count));
        return cut;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<TestHost> cut, string email) =>
        cut.Find($"tr.user[data-user-email='{email}']");

    [Fact]
    public void The_signed_in_admin_cannot_delete_or_demote_themself()
    {
        var cut = RenderPage();

        var me = Row(cut, "admin@micoportal.local");
        Assert.Contains("you", me.TextContent);
        Assert.Null(me.QuerySelector("button.delete-user"));
        Assert.NotNull(me.QuerySelector(".user-role .mud-disabled, .user-role.mud-disabled, .user-role [disabled]"));
        Assert.NotNull(Row(cut, "ops@micoportal.local").QuerySelector("button.delete-user"));
        Assert.Contains("2 failed attempt(s)", Row(cut, "ops@micoportal.local").TextContent);
    }

    [Fact]
    public void Adding_a_user_sends_email_password_and_role_and_lists_them()
    {
        var cut = RenderPage();

        cut.Find(".new-user-email input").Input("new-op@micoportal.local");
        cut.Find(".new-user-password input").Input("Long-Enough-Passw0rd!");
        cut.Find("button.create-user").Click();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("tr.user").Count));
        Assert.Equal(new CreateUserRequest("new-op@micoportal.local", "Long-Enough-Passw0rd!", Roles.Operations), Assert.Single(Admin.CreatedUsers));
        Assert.Contains("can now sign in", cut.Markup);
        Assert.Equal("", cut.Find(".new-user-password input").GetAttribute("value") ?? "");
    }

    [Fact]
    public void A_locked_out_user_can_be_unlocked()
    {
        var cut = RenderPage();
        Assert.Contains("Locked until", Row(cut, "locked@micoportal.local").TextContent);
        Assert.Single(cut.FindAll("button.unlock-user"));

        Row(cut, "locked@micoportal.local").QuerySelector("button.unlock-user")!.Click();

        cut.WaitForAssertion(() => Assert.Equal(["u-locked"], Admin.Unlocked));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("button.unlock-user")));
    }

    [Fact]
    public void Delete_asks_first()
    {
        var cut = RenderPage();

        Row(cut, "ops@micoportal.local").QuerySelector("button.delete-user")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Delete ops@micoportal.local?", cut.Find(".mud-dialog").TextContent));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click();

        cut.WaitForAssertion(() => Assert.Equal(["u-ops"], Admin.Deleted));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.user").Count));
    }
}
