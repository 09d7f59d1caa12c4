using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Infrastructure;

/// <summary>A page of a list: number from 1, size within the endpoint's maximum.</summary>
public readonly record struct PageRequest(int Number, int Size)
{
    public int Skip => (Number - 1) * Size;
}

/// <summary>Reads <c>?page=&amp;pageSize=</c> the same way on every admin list, refusing what is out of range.</summary>
public static class Paging
{
    public static bool TryRead(int? page, int? pageSize, int defaultSize, int maxSize, out PageRequest request, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        request = new PageRequest(page ?? 1, pageSize ?? defaultSize);
        if (request.Number >= 1 && request.Size >= 1 && request.Size <= maxSize)
        {
            problem = null;
            return true;
        }

        problem = Problems.Validation(new Dictionary<string, string[]> { ["page"] = [$"page starts at 1; pageSize is 1 to {maxSize}."] });
        return false;
    }
}
