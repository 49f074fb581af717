using System.Net;
using System.Text;
using GanNotebooks.Runtime;

namespace GanNotebooks.Viz;

/// <summary>
/// HTML views of <see cref="Claim"/> and <see cref="ClaimsTable"/> (registered by <see cref="Formatters.Register"/>).
/// Each carries its claims as a JSON array in a <c>&lt;script type="application/json" class="gankit-claims"&gt;</c>
/// element (<see cref="Claims.JsonClass"/>), the way charts carry their figure: the runner reads the claims back from
/// an executed notebook (any front-end's) without a MIME type of its own.
/// </summary>
public static class ClaimViews
{
    /// <summary>One claim, inline: the statement, the value, the condition and the mark.</summary>
    public static string ToHtml(this Claim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var sb = new StringBuilder("<div class=\"gankit-claim\" style=\"margin:4px 0\">");
        sb.Append("<span style=\"font-weight:bold;color:").Append(Colour(claim)).Append("\">").Append(Enc(claim.IsClaim ? claim.Mark : "•")).Append("</span> ");
        sb.Append(Enc(claim.Statement)).Append(": <b>").Append(Enc(claim.ValueText)).Append("</b>");
        if (claim.IsClaim) sb.Append(" <span style=\"color:#666\">(").Append(Enc(claim.Condition)).Append(")</span>");
        return sb.Append(JsonScript([claim])).Append("</div>").ToString();
    }

    /// <summary>The claims table: mark, claim, value, condition, then the summary.</summary>
    public static string ToHtml(this ClaimsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder("<table class=\"gannb-table gankit-claims-table\"><caption>Claims: ")
            .Append(Enc(table.Summary)).Append("</caption><thead><tr><th></th><th>claim</th><th>value</th><th>condition</th></tr></thead><tbody>");
        foreach (var c in table.Claims)
            sb.Append("<tr><td style=\"font-weight:bold;color:").Append(Colour(c)).Append("\">").Append(Enc(c.IsClaim ? c.Mark : "")).Append("</td><td style=\"text-align:left\">")
              .Append(Enc(c.Statement)).Append("</td><td>").Append(Enc(c.ValueText)).Append("</td><td>").Append(Enc(c.Condition)).Append("</td></tr>");
        return sb.Append("</tbody></table>").Append(JsonScript(table.Claims)).ToString();
    }

    static string Colour(Claim c) => c.Verdict switch { ClaimVerdict.Holds => "#1a7f37", ClaimVerdict.Fails => "#cf222e", _ => "#666" };

    static string Enc(string s) => WebUtility.HtmlEncode(s);

    static string JsonScript(IEnumerable<Claim> claims) =>
        $"<script type=\"application/json\" class=\"{Claims.JsonClass}\">{Claims.ToJson(claims).Replace("</", "<\\/", StringComparison.Ordinal)}</script>";
}
