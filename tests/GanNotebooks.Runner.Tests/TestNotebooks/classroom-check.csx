// The check helpers of the classroom test notebook (loaded by its first code cell with a relative #load, which
// grading resolves against the source's folder).
static void Check(bool ok, string what, string hint)
{
    if (!ok) throw new Exception($"{what}. Hint: {hint}");
}

static bool Close(double a, double b, double tol = 1e-9) => Math.Abs(a - b) <= tol * (1 + Math.Abs(b));
