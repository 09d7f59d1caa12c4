using MicoPortal.Server.Auth;

namespace MicoPortal.Tests.Api;

/// <summary>Signing in returns only to the portal's own paths (no open redirect through the login page).</summary>
public class ReturnUrlTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/orders?status=Failed", true)]
    [InlineData("/orders/42", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)] // browsers read /\ as //: another host
    [InlineData("/\\/evil.example", false)]
    [InlineData("/\t/evil.example", false)] // browsers strip tabs and newlines, leaving //
    [InlineData("/\n/evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("evil.example", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_portals_own_paths_are_local(string? url, bool local)
    {
        Assert.Equal(local, ReturnUrls.IsLocal(url));
        Assert.Equal(local ? url : "/", ReturnUrls.OrHome(url));
    }
}
