#!/usr/bin/env python3
"""Course text for chapters 01-13: learning objectives, thinking questions, summary and references.

    python3 tools/course_text.py notebooks/          # edit the chapter notebooks in place
    python3 tools/course_text.py --check notebooks/  # verify them (tools/course_text_check.py)

For every chapter NN-*.ipynb (01 to 13) the script inserts
  * after the title cell: a markdown cell "**After this chapter you can** ..." (metadata.gannb_course = "objectives");
  * before the cell each question is about: a locked markdown question cell "**Question N.k** (2 points) ..."
    (nbgrader grade_id "NN-q-k-text", gannb_course = "question") and a manually graded markdown answer cell whose
    model answer sits between <!-- BEGIN SOLUTION --> and <!-- END SOLUTION --> lines (nbgrader grade_id "NN-q-k",
    2 points, gannb_course = "answer"), in nbgrader's schema 3 as lib/GanNotebooks.Runner/Classroom/README.md describes;
  * after the last cell (each chapter ends with its claims table): "## Summary" and "## References"
    (gannb_course = "summary").

It is idempotent: every cell carrying metadata.gannb_course is removed first and the cells are built again from the
text below, with cell ids derived from a hash of the notebook number and the cell's role (stable across runs). No
other cell, id, key or value changes; the JSON is written as the repository writes it (json.dump with indent=1,
ensure_ascii=False, and a trailing newline), and a file whose text would not change is not rewritten.

A question is anchored to the cell it precedes by that cell's id; if the id is missing, by the beginning of the
cell's source. A missing anchor, a non-title first cell or a grade_id that collides with an existing exercise is an
error (exit 1), and nothing of that notebook is written.

The model answers do not depend on a run's numbers: they follow from the formulas (cross-checked with
shared/REFERENCES.md and the papers) or state a qualitative prediction and why.
"""

import argparse
import hashlib
import json
import os
import re
import sys

MARKER = "gannb_course"
POINTS = 2
CHAPTER_FILE = re.compile(r"^(0[1-9]|1[0-3])-.+\.ipynb$")


# ----------------------------------------------------------------------------------------------------------------------
# References (only arXiv ids checked against the papers; SSIM has none)

def ref(authors, year, title, venue, arxiv=None):
    line = f"{authors} ({year}). *{title}*. {venue}."
    if arxiv:
        line += f" [arXiv:{arxiv}](https://arxiv.org/abs/{arxiv})"
    return line


def code(repo, what):
    return f"{what}: [github.com/{repo}](https://github.com/{repo})"


GOODFELLOW = ref("Goodfellow, I. et al.", 2014, "Generative Adversarial Nets", "NeurIPS 2014", "1406.2661")
ARJOVSKY_BOTTOU = ref("Arjovsky, M. & Bottou, L.", 2017, "Towards Principled Methods for Training Generative Adversarial Networks",
                      "ICLR 2017", "1701.04862")
VEEGAN = ref("Srivastava, A. et al.", 2017, "VEEGAN: Reducing Mode Collapse in GANs using Implicit Variational Learning",
             "NeurIPS 2017", "1705.07761")
PACGAN = ref("Lin, Z. et al.", 2018, "PacGAN: The Power of Two Samples in Generative Adversarial Networks", "NeurIPS 2018",
             "1712.04086")
YAZICI = ref("Yazıcı, Y. et al.", 2019, "The Unusual Effectiveness of Averaging in GAN Training", "ICLR 2019", "1806.04498")
FGAN = ref("Nowozin, S., Cseke, B. & Tomioka, R.", 2016,
           "f-GAN: Training Generative Neural Samplers using Variational Divergence Minimization", "NeurIPS 2016", "1606.00709")
SHANNON = ref("Shannon, M. et al.", 2020, "Non-saturating GAN training as divergence minimization", "arXiv preprint",
              "2010.08029")
WGAN = ref("Arjovsky, M., Chintala, S. & Bottou, L.", 2017, "Wasserstein Generative Adversarial Networks", "ICML 2017",
           "1701.07875")
WGAN_GP = ref("Gulrajani, I. et al.", 2017, "Improved Training of Wasserstein GANs", "NeurIPS 2017", "1704.00028")
WGAN_GP_CODE = code("igul222/improved_wgan_training", "Official WGAN-GP code (its toy-data script `gan_toy.py`)")
DCGAN = ref("Radford, A., Metz, L. & Chintala, S.", 2016,
            "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks", "ICLR 2016",
            "1511.06434")
HEUSEL = ref("Heusel, M. et al.", 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
             "NeurIPS 2017", "1706.08500")
MIRZA = ref("Mirza, M. & Osindero, S.", 2014, "Conditional Generative Adversarial Nets", "arXiv preprint", "1411.1784")
PROJECTION = ref("Miyato, T. & Koyama, M.", 2018, "cGANs with Projection Discriminator", "ICLR 2018", "1802.05637")
INFOGAN = ref("Chen, X. et al.", 2016,
              "InfoGAN: Interpretable Representation Learning by Information Maximizing Generative Adversarial Nets",
              "NeurIPS 2016", "1606.03657")
PGGAN = ref("Karras, T. et al.", 2018, "Progressive Growing of GANs for Improved Quality, Stability, and Variation",
            "ICLR 2018", "1710.10196")
BIGAN = ref("Donahue, J., Krähenbühl, P. & Darrell, T.", 2017, "Adversarial Feature Learning", "ICLR 2017", "1605.09782")
ALI = ref("Dumoulin, V. et al.", 2017, "Adversarially Learned Inference", "ICLR 2017", "1606.00704")
SNGAN = ref("Miyato, T. et al.", 2018, "Spectral Normalization for Generative Adversarial Networks", "ICLR 2018", "1802.05957")
HINGE = ref("Lim, J. H. & Ye, J. C.", 2017, "Geometric GAN", "arXiv preprint", "1705.02894")
LSGAN = ref("Mao, X. et al.", 2017, "Least Squares Generative Adversarial Networks", "ICCV 2017", "1611.04076")
SAGAN = ref("Zhang, H. et al.", 2019, "Self-Attention Generative Adversarial Networks", "ICML 2019", "1805.08318")
TSUZUKU = ref("Tsuzuku, Y., Sato, I. & Sugiyama, M.", 2018,
              "Lipschitz-Margin Training: Scalable Certification of Perturbation Invariance for Deep Neural Networks",
              "NeurIPS 2018", "1802.04034")
BIGGAN = ref("Brock, A., Donahue, J. & Simonyan, K.", 2019, "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
             "ICLR 2019", "1809.11096")
PIX2PIX = ref("Isola, P. et al.", 2017, "Image-to-Image Translation with Conditional Adversarial Networks", "CVPR 2017",
              "1611.07004")
CYCLEGAN = ref("Zhu, J.-Y. et al.", 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks",
               "ICCV 2017", "1703.10593")
SHRIVASTAVA = ref("Shrivastava, A. et al.", 2017, "Learning from Simulated and Unsupervised Images through Adversarial Training",
                  "CVPR 2017", "1612.07828")
SRGAN = ref("Ledig, C. et al.", 2017, "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network",
            "CVPR 2017", "1609.04802")
ESPCN = ref("Shi, W. et al.", 2016,
            "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network",
            "CVPR 2016", "1609.05158")
SSIM = ref("Wang, Z. et al.", 2004, "Image Quality Assessment: From Error Visibility to Structural Similarity",
           "IEEE Transactions on Image Processing 13(4)")
STYLEGAN = ref("Karras, T., Laine, S. & Aila, T.", 2019, "A Style-Based Generator Architecture for Generative Adversarial Networks",
               "CVPR 2019", "1812.04948")
STYLEGAN2 = ref("Karras, T. et al.", 2020, "Analyzing and Improving the Image Quality of StyleGAN", "CVPR 2020", "1912.04958")
STYLEGAN2_ADA = ref("Karras, T. et al.", 2020, "Training Generative Adversarial Networks with Limited Data", "NeurIPS 2020",
                    "2006.06676")
WAVEGAN = ref("Donahue, C., McAuley, J. & Puckette, M.", 2019, "Adversarial Audio Synthesis", "ICLR 2019", "1802.04208")
UNROLLED = ref("Metz, L. et al.", 2017, "Unrolled Generative Adversarial Networks", "ICLR 2017", "1611.02163")


# ----------------------------------------------------------------------------------------------------------------------
# The text of each chapter. `before`: id of the cell a question precedes; `fingerprint`: the start of that cell's
# source, used only when the id is not found.

CHAPTERS = {
    "01": {
        "objectives": [
            r"derive the optimal discriminator $D^*(x) = p_{\text{data}}(x) / (p_{\text{data}}(x) + p_g(x))$ by maximizing $V(D, G)$ pointwise, and compare it with a discriminator trained against a fixed generator;",
            r"show that $V(G, D^*) = -\log 4 + 2\,\mathrm{JSD}(p_{\text{data}} \Vert p_g)$ and check the identity by quadrature;",
            r"explain why the Jensen–Shannon divergence saturates at $\log 2$ for disjoint supports, and what that leaves of the generator's gradient;",
            r"train a small 1-D GAN and follow it through a kernel-density estimate of the JSD and through $D$ drifting towards ½.",
        ],
        "questions": [
            {
                "before": "8c3149f8", "fingerprint": "double Softplus(double v)",
                "text": r"The next cell tabulates $V(G, D^*)$ for several generators, a last row with $p_g = p_{\text{data}}$, and $V(G, D)$ for a discriminator *trained* against each generator. Before running it: what value must the row $p_g = p_{\text{data}}$ show, and can a trained $D$ ever score a larger $V$ than $D^*$? Derive both from the pointwise maximization of section 1.",
                "answer": r"With $p_g = p_{\text{data}}$, $D^*(x) = \tfrac12$ wherever the data has mass, so $V(G, D^*) = \int p_{\text{data}} \log\tfrac12 + p_g \log\tfrac12 \, dx = -2\log 2 = -\log 4 \approx -1.386$ (and $\mathrm{JSD} = 0$). For a fixed $G$, $D^*(x)$ maximizes the integrand $p_{\text{data}}(x)\log D(x) + p_g(x)\log(1 - D(x))$ at every $x$ separately, so every other discriminator, a trained network included, gives $V(G, D) \le V(G, D^*)$, with equality only if $D = D^*$ wherever $p_{\text{data}} + p_g > 0$. The trained column can therefore only lie below the $V(G, D^*)$ column, up to rounding.",
            },
            {
                "before": "9c66a24e", "fingerprint": "var mus = Quadrature.Linspace(-8, 8, 161);",
                "text": r"The next cell slides one Gaussian $p_g = N(\mu, 0.6^2)$ across $p_{\text{data}} = \tfrac12 N(-2, 0.6^2) + \tfrac12 N(2, 0.6^2)$. Predict the curve $V(G, D^*)$: its value far from the data, and its value at $\mu = 2$, treating the two data components as non-overlapping (their centres are $4/0.6 \approx 6.7$ standard deviations apart). Where is its minimum?",
                "answer": r"Far from the data the supports are effectively disjoint: $\mathrm{JSD} \to \log 2$ and $V(G, D^*) \to -\log 4 + 2\log 2 = 0$. At $\mu = 2$, $p_g$ is the right component $\varphi$: there $p_{\text{data}} = \tfrac12\varphi$ and $m = \tfrac34\varphi$; on the left component $p_g \approx 0$ and $m = \tfrac14\varphi'$. So $\mathrm{KL}(p_{\text{data}} \Vert m) = \tfrac12\log\tfrac23 + \tfrac12\log 2 = \tfrac12\log\tfrac43$, $\mathrm{KL}(p_g \Vert m) = \log\tfrac43$, $\mathrm{JSD} = \tfrac34\log\tfrac43 \approx 0.216$ and $V = -\log 4 + \tfrac32\log\tfrac43 \approx -0.955$. A Gaussian between the modes ($\mu \approx 0$) sits where $p_{\text{data}}$ is small and does worse, so the minimum is near $\mu = \pm 2$, on one mode — above $-\log 4$, which no single Gaussian can reach.",
            },
            {
                "before": "0cc1ed11", "fingerprint": "var thetas = Quadrature.Linspace(0, 4, 81);",
                "text": r"Derive $\mathrm{JSD}(U[0,1] \Vert U[\theta, \theta+1])$ for $0 \le \theta \le 1$ and for $\theta > 1$ before the next cell computes it. What gradient with respect to $\theta$ would a generator get from $V(G, D^*)$ once $\theta > 1$?",
                "answer": r"On the overlap $[\theta, 1]$ both densities are 1, so $m = 1$ and the overlap contributes nothing. On $[0, \theta)$ only $p = 1$, with $m = \tfrac12$: $\mathrm{KL}(p \Vert m)$ gets $\theta\log 2$; symmetrically $\mathrm{KL}(q \Vert m)$ gets $\theta\log 2$ from $(1, 1 + \theta]$. Hence $\mathrm{JSD} = \tfrac12(\theta\log 2 + \theta\log 2) = \theta\log 2$ for $\theta \le 1$ and $\log 2$ for every $\theta \ge 1$, i.e. $\min(\theta, 1)\log 2$. For $\theta > 1$, $V(G, D^*) = -\log 4 + 2\log 2 = 0$ does not depend on $\theta$: its gradient is exactly zero, and moving the generator closer changes nothing until the supports touch.",
            },
        ],
        "summary": [
            r"Maximizing $V$ pointwise gives $D^*(x) = p_{\text{data}}/(p_{\text{data}} + p_g)$; the notebook measures how close a discriminator trained against a fixed generator comes to it where the data has mass.",
            r"With $D^*$ in place, $V(G, D^*) = -\log 4 + 2\,\mathrm{JSD}(p_{\text{data}} \Vert p_g)$: checked by quadrature for several generators, with trained discriminators approaching the bound from below.",
            r"The JSD saturates at $\log 2$ once the supports separate (exactly $\min(\theta, 1)\log 2$ for shifted uniforms), so a near-optimal discriminator leaves the generator without a gradient.",
            r"A small 1-D GAN is followed through a kernel-density estimate of $\mathrm{JSD}(p_{\text{data}} \Vert p_g)$ and through $\mathbb{E}_{\text{data}}|D - \tfrac12|$; the claims table above says whether $p_g$ moved towards $p_{\text{data}}$ and $D$ drifted back towards ½ in this run.",
        ],
        "references": [GOODFELLOW],
    },
    "02": {
        "objectives": [
            r"derive the derivatives of the saturating and the non-saturating generator loss with respect to $D$'s logit, and measure both generator gradients while $D$ learns to reject a frozen generator;",
            r"write one discriminator step (with the fakes detached) and one generator step by hand;",
            r"measure mode collapse and oscillation on the 8-Gaussian ring with the VEEGAN/PacGAN metrics — modes captured, high-quality samples, reverse KL — and read a nearest-mode map;",
            r"explain which changes steady a collapsing run (balanced learning rates, more $D$ steps, a larger batch, an EMA of $G$'s weights) and why one seed proves little.",
        ],
        "questions": [
            {
                "before": "b9016443", "fingerprint": "MlpGenerator NewG() => new MlpGenerator(2, 2, hidden: 128",
                "text": r"The next cell trains $D$ against a frozen generator and records $\lVert\nabla_\theta \mathcal{L}_G\rVert$ for both generator losses on one fixed batch of $z$. Both gradients contain the factor $\nabla_\theta \ell$ (how a fake's logit moves with $G$'s weights); only the per-sample factor $d\mathcal{L}/d\ell$ differs. Predict how each curve moves as $D(G(z))$ falls, and compute the per-sample ratio of the non-saturating to the saturating factor at $D(G(z)) = 10^{-3}$.",
                "answer": r"By the chain rule $\nabla_\theta \mathcal{L}_G = \mathbb{E}_z\big[\tfrac{d\mathcal{L}}{d\ell}\,\nabla_\theta \ell\big]$ with $\tfrac{d\mathcal{L}}{d\ell} = -\sigma(\ell) = -D(G(z))$ for the saturating loss and $-(1 - D(G(z)))$ for the non-saturating one. As $D$ learns to reject the frozen samples, $D(G(z)) \to 0$: the saturating gradient shrinks in proportion to $D(G(z))$, while the non-saturating factor tends to $-1$, so that gradient stays large (it may even grow, since $\nabla_\theta\ell$ grows as $D$ sharpens). At $D(G(z)) = 10^{-3}$ the per-sample ratio is $(1 - D)/D = 999$; over a batch the ratio of the norms is roughly $1/D(G(z))$.",
            },
            {
                "before": "b611e66c", "fingerprint": "var steadyCfg = balancedCfg with",
                "text": r"The seed table below reports the reverse KL $\sum_k \hat p_k \log(K \hat p_k)$ between the histogram $\hat p$ of high-quality samples over the $K = 8$ ring modes and the uniform distribution. Compute it before reading the table for three histograms: all samples on one mode; an even spread over 4 of the 8 modes; an even spread over all 8. Why can a run capture all 8 modes and still have a clearly positive reverse KL?",
                "answer": r"$\sum_k \hat p_k \log(K\hat p_k) = \log K - H(\hat p)$, with $H$ the entropy of the histogram. All on one mode: $H = 0$, so $\log 8 \approx 2.08$. Even over 4 modes: $H = \log 4$, so $\log 8 - \log 4 = \log 2 \approx 0.69$. Even over all 8: $0$. A mode counts as captured with a single high-quality sample, so a run can capture all 8 while most of its samples pile onto a few modes; its histogram then has a low entropy and a reverse KL well above 0.",
            },
            {
                "before": "7c31158c", "fingerprint": "var gridRun = Run(\"grid",
                "text": r"On the grid of 25 a continuous generator maps the connected plane of $z \sim N(0, I_2)$ onto 25 modes of std 0.05, two units apart. Before running the next cell, argue why the share of high-quality samples cannot reach 100 % for a continuous $G$, and say where the other samples will lie.",
                "answer": r"The image of a connected set under a continuous map is connected, so $G(\mathbb{R}^2)$ is one connected set; to reach 25 separate modes it must also cross the gaps between them. The latent regions that $G$ maps into the gaps have positive Gaussian probability, so a positive fraction of the samples lies more than 3 std (0.15) from every centre — on thin bridges between neighbouring modes. $G$ can make the bridges cheap only by becoming very steep at the borders between latent regions, which a small MLP in a few thousand steps does only in part; expect a high-quality share below 100 % with the misses strung between modes.",
            },
        ],
        "summary": [
            r"The saturating loss's logit derivative is $-D(G(z))$, the non-saturating loss's $-(1 - D(G(z)))$; the notebook measures both generator gradients while $D$ learns to reject a frozen generator.",
            r"On the 8-Gaussian ring a generator that learns 10× faster than $D$ is the collapsing configuration; the nearest-mode map and the VEEGAN/PacGAN metrics (modes captured, high-quality share, reverse KL) measure how it collapses and hops between modes.",
            r"Balanced learning rates, then batch 256 and an EMA of $G$'s weights, are tested one change at a time and over several seeds; the 25-mode grid is the harder test of the same configuration.",
            r"A single run is a measurement, not a conclusion: the claims table above says which statements held in this run.",
        ],
        "references": [GOODFELLOW, ARJOVSKY_BOTTOU, VEEGAN, PACGAN, YAZICI],
    },
    "03": {
        "objectives": [
            r"compute a Fenchel conjugate $f^*(t) = \sup_u[ut - f(u)]$ by hand, with its domain, and check it against the numerical supremum;",
            r"explain why $\mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]$ is a lower bound on $D_f(P \Vert Q)$, tight at $T^* = f'(p/q)$, and measure how close trained critics get for eight divergences;",
            r"predict which single Gaussian each divergence prefers for a bimodal target — mode covering (KL) or mode seeking (reverse KL) — and compare f-GAN training under the saturating and the non-saturating generator loss;",
            r'show that the vanilla GAN is the "GAN" row of the f-GAN table.',
        ],
        "questions": [
            {
                "before": "789ee1e9", "fingerprint": "var conjTable = new Table(",
                "text": r"Derive the conjugate of Pearson χ², $f(u) = (u - 1)^2$, first as a supremum over all $u \in \mathbb{R}$ and then over $u \ge 0$ only (a density ratio is never negative). For which $t$ do the two differ? The next cell compares every closed form with the numerical supremum over $u \ge 0$.",
                "answer": r"$ut - (u - 1)^2$ is concave in $u$ with derivative $t - 2(u - 1)$, which vanishes at $u^* = 1 + t/2$; substituting gives $f^*(t) = (1 + t/2)\,t - t^2/4 = t^2/4 + t$ for every $t \in \mathbb{R}$. Restricted to $u \ge 0$, $u^*$ is admissible only when $1 + t/2 \ge 0$, i.e. $t \ge -2$. For $t < -2$ the concave function decreases on $[0, \infty)$ and the supremum is at $u = 0$: $-f(0) = -1$, below $t^2/4 + t$. That is why Pearson is checked only at $t = g_f(v) = v \ge -2$.",
            },
            {
                "before": "73474a8a", "fingerprint": "record TightnessRow(",
                "text": r"The next cell trains a critic for each divergence and compares the estimated bound with the true $D_f$. Show that $\mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]$ can never exceed $D_f(P \Vert Q)$, whatever the critic $T$, and predict which divergences will leave the largest gaps and standard errors.",
                "answer": r"For every $x$ and any value $T(x)$, Fenchel–Young gives $f(u) \ge u\,T(x) - f^*(T(x))$ at $u = p(x)/q(x)$; multiplying by $q(x) \ge 0$ gives $p(x)T(x) - q(x)f^*(T(x)) \le q(x)f(p(x)/q(x))$, and integrating over $x$ yields the bound, with equality for $T = f'(p/q)$. So $D_f - \text{bound} \ge 0$ up to Monte Carlo noise. A critic cannot learn $T^*$ where there are few samples, so the gaps are largest for divergences whose $T^*$ is large there: Pearson's $T^* = 2(p/q - 1)$ grows without bound in the tails where $p \gg q$ (for the bimodal pair $p/q = e^{-1/(2\sigma^2)}\cosh(x/\sigma^2)$ with $\sigma = 0.7$), and Neyman's $T^* = 1 - q^2/p^2$ is unbounded where $p \ll q$ (the shift pair's right tail). Expect the χ² rows to have the largest gaps and standard errors, and TV, JS and GAN (bounded $T^*$) as well as KL (logarithmic $T^*$) to come close.",
            },
            {
                "before": "b985099b", "fingerprint": "var target = GaussianMixture1D.EqualWeights(new[] { -2.0, 2.0 }, 0.5",
                "text": r"The target is $P = \tfrac12 N(-2, 0.5^2) + \tfrac12 N(2, 0.5^2)$, the model one Gaussian $Q = N(\mu, \sigma^2)$. Before the next cell finds each divergence's optimum by quadrature, derive the best $(\mu, \sigma)$ for $\mathrm{KL}(P \Vert Q)$, and predict the best $Q$ and the value of $\mathrm{KL}(Q \Vert P)$ for reverse KL, treating the two modes as non-overlapping.",
                "answer": r"$\mathrm{KL}(P \Vert Q) = \mathbb{E}_P[\log p] - \mathbb{E}_P[\log q]$, and only the cross-entropy $-\mathbb{E}_P[\log q]$ depends on $Q$; over Gaussians it is minimized by matching $P$'s mean and variance: $\mu^* = 0$, $\sigma^{*2} = 0.5^2 + 2^2 = 4.25$, $\sigma^* \approx 2.06$ — mass over both modes and the gap. Reverse KL $= \mathbb{E}_Q[\log q - \log p]$ grows without bound as $Q$ puts mass where $p \to 0$, so the best $Q$ sits on one mode: $\mu^* \approx \pm 2$, $\sigma^* \approx 0.5$. There $p \approx \tfrac12 q$ on $Q$'s support, so $\mathrm{KL}(Q \Vert P) \approx \log 2 \approx 0.69$; a broad $Q$ pays much more for its mass in the gap.",
            },
        ],
        "summary": [
            r"Every divergence of the table gets a variational lower bound $\mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)]$ through its Fenchel conjugate, tight at $T^* = f'(p/q)$; the closed-form conjugates are checked against the numerical supremum.",
            r"Trained critics give bounds below $D_f$ up to sampling error; how close they come depends on how large $T^*$ is where samples are rare.",
            r"Fitting one Gaussian to a bimodal target, KL covers both modes and reverse KL picks one; f-GAN training with the saturating and the non-saturating generator loss is compared with the quadrature optimum of each divergence.",
            r'The vanilla GAN is the "GAN" row: the same losses, the same optimum $2\,\mathrm{JSD} - \log 4$ and the same trained weights. The claims table above says which statements held in this run.',
        ],
        "references": [FGAN, GOODFELLOW, SHANNON, VEEGAN, PACGAN],
    },
    "04": {
        "objectives": [
            r"explain with the parallel-lines example why JS, KL and TV give a generator no useful gradient while $W_1 = |\theta|$ does, and check it with trained critics;",
            r"implement the critic's estimate, weight clipping, per-sample interpolates, the per-sample gradient penalty and the WGAN losses with their signs;",
            r"measure what weight clipping does to a critic (weights piled at $\pm c$, estimates a tiny multiple of $W_1$, layer gradients that scale with $c$) and how the penalty weight $\lambda$ interacts with the data's scale;",
            r"compare GAN, WGAN and WGAN-GP on the ring and the grid by mode coverage, a reference $W_1$ and how well each critic's estimate tracks sample quality.",
        ],
        "questions": [
            {
                "before": "1f2d626d", "fingerprint": "var thetaGrid = Quadrature.Linspace(-1, 1, nTheta);",
                "text": r"For $P_0$ uniform on $\lbrace 0 \rbrace \times [0, 1]$ and $P_\theta$ the same segment at $x_1 = \theta$, show that $W_1(P_0, P_\theta) = |\theta|$ with a transport plan (upper bound) and a 1-Lipschitz critic (lower bound). Then predict the derivative with respect to $\theta$ of the WGAN generator loss $-\mathbb{E}[f(\theta, y)]$ for that critic, which the next cell measures with trained critics.",
                "answer": r"Upper bound: move every point $(0, y)$ horizontally to $(\theta, y)$; each moves $|\theta|$, so $W_1 \le |\theta|$. Lower bound: $f(x) = -\mathrm{sign}(\theta)\,x_1$ is 1-Lipschitz and gives $\mathbb{E}_{P_0}[f] - \mathbb{E}_{P_\theta}[f] = 0 + \mathrm{sign}(\theta)\,\theta = |\theta|$, so $W_1 \ge |\theta|$ by Kantorovich–Rubinstein. With this critic the generator loss is $-\mathbb{E}[f(\theta, y)] = \mathrm{sign}(\theta)\,\theta = |\theta|$, whose derivative is $\mathrm{sign}(\theta)$: $+1$ for $\theta > 0$ and $-1$ for $\theta < 0$, so gradient descent moves the line towards 0 from either side, at the same speed however close it already is.",
            },
            {
                "before": "a190ecba", "fingerprint": "var specs = new (string Name, double? Clip, double? Lambda)[]",
                "text": r"The next cell trains critics whose weights are clipped to $[-c, c]$ with $c = 0.1$, $0.01$ and $0.001$. With 1-Lipschitz activations and $L$ weight layers of fan-in $n_{\text{in},\ell}$ and fan-out $n_{\text{out},\ell}$, bound the critic's Lipschitz constant $K$ in terms of $c$, and predict how the estimate $\mathbb{E}[f(\text{real})] - \mathbb{E}[f(\text{fake})]$ changes when $c$ shrinks tenfold.",
                "answer": r"A layer $h \mapsto Wh$ with all $|W_{ij}| \le c$ stretches vectors by at most $\lVert W\rVert_2 \le \lVert W\rVert_F \le c\sqrt{n_{\text{in}}\,n_{\text{out}}}$, and the activations do not stretch, so $K \le \prod_\ell c\sqrt{n_{\text{in},\ell}\,n_{\text{out},\ell}} \propto c^L$. The estimate is at most $K \cdot W_1$, so a tenfold smaller $c$ lowers what the critic can reach by up to $10^L$ — here $L = 5$ (four hidden layers and the output). Expect the three clipped critics' estimates to differ by orders of magnitude rather than by a constant factor, all far below $W_1$ for $c \le 0.01$; only the penalized critics can be on $W_1$'s scale.",
            },
            {
                "before": "e8f8c13d", "fingerprint": "var w1Line = new Series(",
                "text": r"Model a penalized critic by one slope $s$ along the transport direction, so that it maximizes $s\,W_1 - \lambda(s - 1)^2$. Find the optimal $s$, evaluate it for $\lambda = 10$ and $\lambda = 0.1$ with $W_1 \approx 0.3$ (this section's data), and predict which critic's estimate can overshoot the reference $W_1$ in the next cell. What happens to the two terms when the data are scaled by $k$?",
                "answer": r"The derivative $W_1 - 2\lambda(s - 1)$ vanishes at $s^* = 1 + W_1/(2\lambda)$: $1.015$ for $\lambda = 10$ and $2.5$ for $\lambda = 0.1$. The estimate $s^* W_1$ thus stays at about $W_1$ under the strong penalty but may exceed it — by up to $2.5\times$ in this crude model — under the weak one, so the $\lambda = 0.1$ critic is the one expected to overshoot. Scaling the data by $k$ multiplies $W_1$ by $k$ but leaves gradient norms, and hence the penalty, unchanged: only the ratio $W_1/\lambda$ matters, and $\lambda = 10$ on data with $W_1 \approx 0.3$ makes the penalty dominate the objective. The model says nothing about how fast a critic gets there in a finite run.",
            },
        ],
        "summary": [
            r"On parallel lines only $W_1 = |\theta|$ is continuous in $\theta$ and gives the generator a gradient of about $\mathrm{sign}\,\theta$; JS, KL and TV are flat or infinite away from $\theta = 0$.",
            r"Weight clipping makes the critic $K$-Lipschitz for an unknown $K$ that depends on $c$ by orders of magnitude: the notebook measures how many weights sit at $\pm c$, how far the estimates fall below $W_1$ and how the layer gradients scale with $c$.",
            r"The per-sample gradient penalty at interpolates pulls gradient norms towards 1 (the histograms show how closely); since $\lambda$ matters only relative to the data's scale, the notebook compares $\lambda = 10$ with the $\lambda = 0.1$ of the authors' toy-data code on unit-scale data.",
            r"GAN, WGAN and WGAN-GP are compared on the ring and the grid by mode coverage, a reference $W_1$ and how well each critic's number tracks sample quality; the claims table above says which statements held in this run.",
        ],
        "references": [WGAN, WGAN_GP, WGAN_GP_CODE, VEEGAN, PACGAN],
    },
    "05": {
        "objectives": [
            r"build a DCGAN discriminator block by the paper's guidelines and train a DCGAN on Fashion-MNIST, watching a fixed-noise grid;",
            r"compute and read a Fréchet distance on classifier features, including why real against real is not 0 and depends on the number of images;",
            r"condition a GAN on labels (one-hot input to $G$, projection discriminator) and check with a classifier that samples show the requested class;",
            r"compute InfoGAN's mutual-information bound $\log K - \mathrm{CE}$ and test whether its categorical code learned the class.",
        ],
        "questions": [
            {
                "before": "726606f6", "fingerprint": "var metric = ImageQualityMetric.FashionMnist();",
                "text": r"The next cell scores held-out *real* images against the reference half. Show that for two Gaussians with the same covariance the Fréchet distance reduces to $\lVert\mu_r - \mu_g\rVert^2$, and use that to explain why two finite samples of real images still get a positive distance that shrinks as the number of images $N$ grows.",
                "answer": r"With $\Sigma_r = \Sigma_g = \Sigma$, $(\Sigma^{1/2}\Sigma\,\Sigma^{1/2})^{1/2} = \Sigma$, so the trace term is $\operatorname{tr}(2\Sigma - 2\Sigma) = 0$ and $d^2 = \lVert\mu_r - \mu_g\rVert^2$. Two samples of the same distribution have estimated means that differ by sampling noise: for independent samples of sizes $N_1$ and $N_2$, $\mathbb{E}\lVert\hat\mu_1 - \hat\mu_2\rVert^2 = \operatorname{tr}(\Sigma)\,(1/N_1 + 1/N_2) > 0$, and the estimated covariances differ in the same way. The floor is therefore positive and biased upwards, and it shrinks as $N$ grows — which is why a generator must be compared with the floor at its own $N$.",
            },
            {
                "before": "16e94e6b", "fingerprint": "var walkStart = randn(",
                "text": r"The walk in the next cell uses spherical interpolation. For independent $z_1, z_2 \sim N(0, I_d)$ with $d$ = `zDim` (64 by default), compute the typical norm of $z_1$ and of the linear midpoint $\tfrac12(z_1 + z_2)$. Why would a straight path be a poor test of what $G$ learned?",
                "answer": r"$\lVert z\rVert^2$ follows a $\chi^2_d$ distribution with mean $d$, so $\lVert z_1\rVert \approx \sqrt d = 8$, with a standard deviation of only about $1/\sqrt2 \approx 0.7$. The midpoint $\tfrac12(z_1 + z_2) \sim N(0, \tfrac12 I_d)$ has norm $\approx \sqrt{d/2} \approx 5.7$, more than three standard deviations inside the thin shell where practically all training latents lie. A straight path therefore runs through latents $G$ has essentially never seen, and odd images half way would say more about that than about the learned map; slerp keeps $\lVert z\rVert$ at its typical value.",
            },
            {
                "before": "bec3c511", "fingerprint": "Charts.Curves(new[]\n{\n    Series.Of(iTrainer.History[\"MI bound\"]",
                "text": r"The next cell plots InfoGAN's bound $\log 10 - \mathrm{CE}$ on $I(c_1; G(z, c))$. What is the largest value it can reach, and why? If it comes close, does that show that $c_1$ encodes the garment class? Say what in this section would.",
                "answer": r"$I(c_1; G(z, c)) \le H(c_1) = \log 10 \approx 2.30$ nats for a uniform 10-way code, and the bound $H(c_1) - \mathrm{CE}$ reaches it when $\mathrm{CE} \to 0$, i.e. when $Q$ recovers $c_1$ from every image. A bound near $\log 10$ only says that $c_1$ can be read back from $G$'s images by $Q$ — possibly from details no person or classifier would call a class (the text's plain-DCGAN runs found exactly that). Whether $c_1$ is the class shows in the traversal grid (one kind of garment per row) and in the purity table: ten values of $c_1$ mapped to ten different classes with high purity.",
            },
        ],
        "summary": [
            r"A DCGAN built by the paper's guidelines trains on Fashion-MNIST; its progress is measured by a Fréchet distance on the kit's classifier features, read against the real-versus-real floor at the same number of images.",
            r"Latent walks (slerp) and the class histogram of the samples check for a smooth map and for dropped classes.",
            r"A conditional GAN with a projection discriminator is scored by whether the classifier recognises the requested class; InfoGAN's categorical code by its mutual-information bound and by class purity.",
            r"Short runs without BatchNorm or with a too-strong $D$ show what the guidelines protect against. The claims table above says which statements held in this run.",
        ],
        "references": [DCGAN, HEUSEL, MIRZA, PROJECTION, INFOGAN,
                       code("Newmu/dcgan_code", "Radford's DCGAN code"),
                       code("pytorch/examples", "The reference PyTorch DCGAN (folder `dcgan`)")],
    },
    "06": {
        "objectives": [
            r"explain the ingredients of progressive growing — equalized learning rate, pixel norm, minibatch standard deviation, WGAN-GP with a drift term — and implement pixel norm, the minibatch-stddev feature and the fade-in blends;",
            r"measure the training speed at each resolution and size the fade-in and stabilize phases from it;",
            r"follow a run from $4\times4$ to $32\times32$ and compare it with a fixed-resolution baseline at equal wall-clock time by Fréchet distance;",
            r"save and restore a progressive run across a growth step.",
        ],
        "questions": [
            {
                "before": "643a8e93", "fingerprint": "Seeding.Seed(seed);\nvar netTable = new Table(\"resolution\"",
                "text": r"With the equalized learning rate a weight is stored as $\hat w \sim N(0, 1)$ and used as $w = c\,\hat w$ with $c = \sqrt{2/\text{fan\_in}}$. Adam's step on a stored parameter has a size of roughly the learning rate $\eta$, whatever the scale of its gradient. Compare the *relative* change per step of the weights in use, $w$, for a layer with fan-in 16 and one with fan-in 512: (a) with the equalized learning rate, (b) with He initialization of weights stored directly. Why does (a) help?",
                "answer": r"(a) The step on $\hat w$ is about $\eta$, so $w$ moves by about $c\,\eta$ while its typical size is $c$: a relative change of about $\eta$ in every layer. (b) With $w$ stored directly and drawn from $N(0, c^2)$, Adam moves $w$ itself by about $\eta$ while its size is $c$: a relative change of $\eta/c = \eta\sqrt{\text{fan\_in}/2}$, about $2.8\,\eta$ for fan-in 16 and $16\,\eta$ for fan-in 512 — wide layers change several times faster, relative to their scale, than narrow ones. Equalizing gives every layer the same relative speed, so one learning rate suits all of them (Karras et al. 2018, §4.1).",
            },
            {
                "before": "34f410a1", "fingerprint": "var fashion = ShippedDatasets.FashionMnistTest(padTo: 32);",
                "text": r"Before the next cell measures images per second at each resolution: if a step cost were proportional to the number of pixels the active networks process, how much faster would the $4\times4$ stage train than $32\times32$? Give two reasons why the ratio measured here, with small networks on a CPU, will be much smaller.",
                "answer": r"By pixel count, $32^2/4^2 = 64$: up to about $64\times$, since the $32\times32$ layers dominate the full network's cost. With few channels each operation does little arithmetic, so a fixed overhead per operation (dispatch, allocation, bookkeeping) dominates and does not shrink with the image; and the gradient penalty's second backward pass adds a number of operations that is the same at every resolution. Both flatten the ratio to a few times, not 64.",
            },
            {
                "before": "2c1b2c39", "fingerprint": "fadeFrames.Count == 0 ? (object)\"the run did not reach",
                "text": r"During the fade-in, $G$'s output is $(1 - \alpha)\,\mathrm{up}(\text{old}) + \alpha\,\text{new}$ and the real images are blended the same way, $(1 - \alpha)\,\mathrm{up}(\mathrm{down}(x)) + \alpha\,x$. What does $D$ see from both sides at $\alpha = 0$, and what would go wrong at small $\alpha$ if the real images were shown at full resolution?",
                "answer": r"At $\alpha = 0$, $G$'s output is exactly the previous stage's image upsampled, and the real images are their $2\times$ downsampled versions upsampled again: both sides carry only the old resolution's detail, so the new block joins an unchanged game. If the real images were shown at full resolution, they would contain fine detail that $G$ at small $\alpha$ cannot produce yet (its output is mostly a blocky upsampling); $D$ could tell real from fake by that high-frequency content alone, win quickly, and send large, uninformative gradients into the freshly added, untrained block — the disruption the fade-in exists to avoid.",
            },
        ],
        "summary": [
            r"Progressive growing trains $G$ and $D$ from $4\times4$ up to $32\times32$, blending each new block in with a fade-in that is applied to generated and real images alike.",
            r"Its ingredients — equalized learning rate, pixel norm, minibatch standard deviation, WGAN-GP with a drift term — are implemented and checked.",
            r"The notebook measures how much faster the low resolutions train on this machine and sizes the phases from that; a fixed-resolution baseline gets the same wall-clock time, and the Fréchet distance says which run is ahead (a metric, not a claim).",
            r"A checkpoint taken during growth restores the run exactly. The claims table above says which statements held in this run.",
        ],
        "references": [PGGAN, code("tkarras/progressive_growing_of_gans", "Official code"), HEUSEL],
    },
    "07": {
        "objectives": [
            r"compute the optimal joint discriminator on a small table and see it equal ½ exactly when $E = G^{-1}$; write the losses of $D$ and of $(G, E)$, and say why $D$'s step must not reach $E$ or $G$;",
            r"explain why equal joint distributions of $(x, E(x))$ and $(G(z), z)$ force $E = G^{-1}$, and see on the ring where a many-to-one $G$ defeats it;",
            r"measure what $E$ learned by 1-nearest-neighbour accuracy, a linear probe and reconstruction error, against an untrained encoder, raw pixels and random pairs;",
            r"explain which choices of the official recipe (tanh codes, BatchNorm, the code added inside $D$) keep $D$ from winning on easy cues.",
        ],
        "questions": [
            {
                "before": "789af623", "fingerprint": "var ring = GaussianMixture2D.Ring();\nSeeding.Seed(seed);",
                "text": r"Suppose training reaches the optimum, where the joint distribution of $(x, E(x))$, $x \sim p_{\text{data}}$, equals that of $(G(z), z)$, $z \sim p_z$. Show that then $G(E(x)) = x$ for almost every data point and $E(G(z)) = z$ for almost every latent code.",
                "answer": r"On the generator's side every pair satisfies $x = G(z)$ exactly, so the set $\lbrace (x, z) : x = G(z) \rbrace$ has probability 1 under the joint distribution of $(G(z), z)$. Equal distributions give that set the same probability under the joint of $(x, E(x))$: almost surely $x = G(E(x))$ for data points. Symmetrically, $\lbrace (x, z) : z = E(x) \rbrace$ has probability 1 on the encoder's side, hence almost surely $z = E(G(z))$. So $E$ and $G$ invert each other on the supports (Donahue et al. 2017, Theorem 2), although $E$ is never told a single code.",
            },
            {
                "before": "49d038df", "fingerprint": "var xToy = ring.Sample(",
                "text": r"The previous picture shows how $G$ cuts the latent plane into one region per ring mode; with a mode std of 0.01, $G$ maps a whole region onto a tiny spot. Before running the next cell, predict where $E$ sends the real samples of one mode, and explain why no deterministic $E$ can do much better here.",
                "answer": r"If $E$ inverts $G$, the samples of a mode must land in the latent region that $G$ sends to that mode, so the colours should match the previous picture. But the samples of one mode differ by only about 0.01, while the $z$ that produce them fill a whole region; an encoder of moderate slope maps such a tiny set of inputs to a small set of codes, so expect each mode to become a small patch inside its region rather than filling it. $G$ is (up to that 0.01) many-to-one on this data, so no deterministic $E$ can recover where in the region $z$ was; the best it can do is find the region.",
            },
            {
                "before": "574d4af7", "fingerprint": "var runs = new List<(string Dataset, int Seed, EncoderScores",
                "text": r"The next cell compares the trained encoder with an *untrained* one of the same architecture and initialization. Predict how the untrained encoder's 1-NN accuracy on $E(x)$ compares with chance (10 %) and with raw pixels, and explain why it, not chance, is the bar the trained encoder has to clear.",
                "answer": r"Far above chance and not far below raw pixels: a randomly initialized network is a random, roughly distance-preserving nonlinear projection — images close in pixel space stay close in its output — and 1-NN on raw MNIST or Fashion-MNIST pixels is already strong. The official BiGAN log shows the same effect: 91.5 % 1-NN on $E(x)$ at initialization. What the adversarial game taught $E$ is therefore the improvement over the untrained encoder; beating chance says nothing about it.",
            },
        ],
        "summary": [
            r"BiGAN adds an encoder $E$ and a discriminator on $(x, z)$ pairs; at the optimum $E = G^{-1}$. On the ring, $E$ finds each mode's latent region but cannot invert a many-to-one $G$ inside it.",
            r"On MNIST and Fashion-MNIST at $z = 50$, the official recipe (tanh codes, BatchNorm, the code added inside $D$) is compared with plain MLPs; the table measures how each game ends ($D$'s late outputs, the spread of $E$'s codes) and what each encoder's features score.",
            r"What $E$ learned is measured by 1-NN accuracy, a linear probe, penultimate-layer features and reconstruction error, against an untrained encoder, raw pixels and random pairs, over several seeds.",
            r"The claims table above says which statements held in this run; the official BiGAN log gives the scale of what longer training buys.",
        ],
        "references": [BIGAN, ALI, code("jeffdonahue/bigan", "Official BiGAN code (its README holds the training log quoted above)"),
                       VEEGAN, PACGAN],
    },
    "08": {
        "objectives": [
            r"implement one power iteration, measure how fast it estimates a layer's largest singular value, and explain why $\sigma(\bar W) = 1$ does not make a convolution 1-Lipschitz;",
            r"write the hinge and the least-squares GAN losses and say where each gives or withholds a gradient;",
            r"compare six DCGAN variants (BatchNorm, LSGAN, SN, SN + hinge, SN + hinge + TTUR, SAGAN-style) at equal steps by Fréchet distance and by $\lVert\nabla_x D\rVert$;",
            r"test spectral normalization against a too-strong discriminator and read where self-attention looks.",
        ],
        "questions": [
            {
                "before": "2f6890fc", "fingerprint": "using TorchSharp.Modules;\nvar opts = DcganOptions.Gray28",
                "text": r"Power iteration starts from random unit vectors and repeats $v \leftarrow W^\top u / \lVert W^\top u\rVert$, $u \leftarrow Wv / \lVert Wv\rVert$. Write the starting $v$ in the basis of $W$'s right singular vectors and predict how fast the estimate $u^\top W v$ approaches $\sigma_1$, what sets the speed, from which side it approaches, and which layer of the SN discriminator — the convolutions or the one-row linear head — is exact after one iteration.",
                "answer": r"One round multiplies $v$ by $W^\top W$ (up to normalization), which scales its component along the $i$-th right singular vector by $\sigma_i^2$; after $k$ rounds the unwanted components, relative to the top one, have shrunk like $(\sigma_i/\sigma_1)^{2k}$. Convergence is geometric, with a speed set by the gap between $\sigma_1$ and $\sigma_2$: kernels whose top singular values are close converge slowly after a fast start. Since $u^\top W v \le \sigma_1$ for unit vectors, the estimate approaches from below. The linear head is one row $w^\top$ with the single singular value $\lVert w\rVert$: after one step $v = \pm w/\lVert w\rVert$ and $u^\top W v = \lVert w\rVert$ exactly.",
            },
            {
                "before": "e29682e9", "fingerprint": "using GanNotebooks.Data.Images;\nvar data = ShippedDatasets.FashionMnistTest(limit: realLimit);",
                "text": r"One of the runs below uses the least-squares losses with $a = 0$, $b = c = 1$. Derive the discriminator that minimizes $\tfrac12\mathbb{E}_{p_{\text{data}}}[(D(x) - 1)^2] + \tfrac12\mathbb{E}_{p_g}[D(x)^2]$ pointwise, and compare the generator's gradient with respect to $D$'s output for a fake that $D$ scores 0 with the saturating log-loss's gradient for a confidently rejected fake.",
                "answer": r"At each $x$, minimize $\tfrac12 p_{\text{data}}(D - 1)^2 + \tfrac12 p_g D^2$: the derivative $p_{\text{data}}(D - 1) + p_g D$ vanishes at $D^*(x) = p_{\text{data}}(x)/(p_{\text{data}}(x) + p_g(x))$ — the same ratio as the GAN's optimal discriminator, here as a raw output without a sigmoid. For $\mathcal{L}_G = \tfrac12\mathbb{E}[(D(G(z)) - 1)^2]$ the derivative with respect to $D$'s output is $D(G(z)) - 1 = -1$ at $D = 0$: a rejected fake keeps a gradient of unit size, growing linearly with its distance from the target 1. The saturating loss's derivative with respect to the logit, $-\sigma(\ell)$, goes to 0 for a confidently rejected fake.",
            },
            {
                "before": "9b614083", "fingerprint": "var gradRows = new List<(string Name, GradientNormSummary Summary)>();",
                "text": r"The next cell measures $\lVert\nabla_x D\rVert$ at points between real and generated images for every trained discriminator. Predict which discriminators have the smaller norms, and say what bound spectral normalization gives here. Is it 1?",
                "answer": r"With every weight divided by its largest singular value and 1-Lipschitz activations, an SN discriminator's input gradient is bounded by the product of its layers' operator norms — a constant fixed by the architecture, independent of training. It is not 1: each $4\times4$, stride-2 convolution may have an operator norm up to about $\lceil k/s\rceil = 2$ times that of its normalized reshaped kernel (section 1), and the attention block's softmax is not covered by the bound. A BatchNorm discriminator has no bound of this kind: its weights and BatchNorm's scales can grow during training. Expect the SN discriminators' norms to be the smaller ones, typically well below their bound.",
            },
        ],
        "summary": [
            r"Spectral normalization divides each layer by a power-iteration estimate of its largest singular value; the notebook measures the estimate's convergence and $\sigma(\bar W) \approx 1$, and explains why a normalized convolution is not thereby 1-Lipschitz.",
            r"Hinge and least-squares losses, TTUR and self-attention are implemented and compared with a BatchNorm DCGAN at equal steps, by Fréchet distance and by $\lVert\nabla_x D\rVert$ at interpolates.",
            r"Against a too-strong discriminator the notebook measures whether spectral normalization keeps $D(G(z))$ away from 0, and whether that also buys better samples in a short run.",
            r"The attention maps show where the SAGAN-style discriminator looks. The claims table above says which statements held in this run.",
        ],
        "references": [SNGAN, HINGE, LSGAN, HEUSEL, SAGAN, TSUZUKU, BIGGAN],
    },
    "09": {
        "objectives": [
            r"write pix2pix's generator loss (non-saturating cGAN term over all patches plus $\lambda$ times L1) and its conditional discriminator loss, with the condition stacked on the channels;",
            r"explain why L1 alone blurs uncertain detail and what the PatchGAN term adds, and check the paper's ablation (L1, cGAN, L1 + cGAN) against a known truth by pixel error, sharpness, classifier accuracy and Fréchet distance;",
            r"write the two-way cycle loss and explain why an adversarial loss alone cannot tie an unpaired translation to its input;",
            r"measure CycleGAN with and without the cycle loss on an unpaired task whose true transform is known: class kept, collapse, error to the truth.",
        ],
        "questions": [
            {
                "before": "c16", "fingerprint": "var classifier = FashionClassifier.LoadShipped();\nPix2PixTrainer",
                "text": r'Consider one pixel whose true value, given the edges, is $+1$ with probability $p$ and $-1$ with probability $1 - p$. Which output minimizes the expected L1 error, and which the expected squared error, for $p = 0.7$ and for $p = 0.5$? Use the answer to predict what the "L1 alone" model of the next cell does where fill or texture is uncertain.',
                "answer": r"The expected L1 error is minimized by a median: $+1$ for $p = 0.7$; for $p = 0.5$, $\mathbb{E}|v - Y| = \tfrac12|v - 1| + \tfrac12|v + 1| = 1$ for every $v \in [-1, 1]$, so any value in between, grey included, is optimal. The squared error is minimized by the mean $2p - 1$: $0.4$ and $0$. Where texture or shading could sit in several places, each pixel's outcome is uncertain and its median (or mean) mixes the alternatives, so the L1 model paints smooth, low-contrast fills instead of committing to one texture: expect the blurriest outputs of the three, with the smallest pixel error.",
            },
            {
                "before": "c20", "fingerprint": "double Frechet(Tensor a, Tensor b) => FrechetDistance.FromFeatures",
                "text": r"The next cell scores the three pix2pix models against the truth. Explain why a sharp output can have a *larger* L1 error than a blurry one although it looks better. Work it out for a dark stripe one pixel wide (value $-1$ on a $+1$ background) that is equally likely to be at any of three neighbouring positions.",
                "answer": r"A sharp stripe drawn at one position is right with probability ⅓ (error 0) and otherwise wrong at two pixels, each off by 2 (error 4): expected L1 = 8/3 ≈ 2.7. Each pixel is stripe with probability ⅓ only, so the per-pixel median is the background everywhere: leaving the stripe out costs 2 at the true position, expected L1 = 2. A misplaced sharp detail is penalized twice — where it is drawn and where it should have been — so pixel metrics (L1, PSNR) favour blurred or detail-free outputs, while sharpness and the Fréchet distance to real images favour sharp ones. Expect L1 alone to win on L1 and PSNR and lose on sharpness, and the models with the cGAN term to be sharper at a higher pixel error.",
            },
            {
                "before": "c29", "fingerprint": "CycleGanTrainer TrainCycle(double lambda)",
                "text": r"Without the cycle loss ($\lambda = 0$), which maps $G: A \to B$ are optimal for the adversarial term alone? Give one that is useless for the task. With the cycle loss, must $G$ equal the true transform $T$?",
                "answer": r"The adversarial term only asks that $G(a)$, $a \sim A$, be distributed like B, so every map that carries A's distribution onto B's is optimal — for instance $G = T \circ \pi$ with $\pi$ any rearrangement of A's images that keeps their distribution (each T-shirt sent to the transformed image of some unrelated trouser, as long as the proportions match). The cycle loss asks $F(G(a)) = a$ and $G(F(b)) = b$, so $G$ must be invertible and keep enough of $a$ to recover it; but it does not pin $G$ to $T$: $G = T \circ \pi$ with $F = \pi^{-1} \circ T^{-1}$ has zero cycle loss too. The cycle loss rules out maps that lose the input; that training then finds a map close to $T$ is a property of the networks and the optimization, which the next cells measure.",
            },
        ],
        "summary": [
            r"pix2pix — a U-Net, a conditional PatchGAN and an L1 term — is trained on edges → garments, where the true image is known, and its L1 / cGAN / L1 + cGAN ablation is measured by L1, PSNR, SSIM, classifier accuracy, Fréchet distance and sharpness.",
            r"L1 is minimized by a per-pixel median, which blurs uncertain detail; the ablation measures what the adversarial term trades between pixel error and sharpness.",
            r"CycleGAN — two generators, two least-squares PatchGAN discriminators, a two-way cycle loss and a history of 50 generated images — is trained with and without the cycle loss on an unpaired task whose true transform is known, and measured by class preservation, collapse and error to the truth.",
            r"The claims table above says which of the papers' ablation results held in this run.",
        ],
        "references": [PIX2PIX, CYCLEGAN, SHRIVASTAVA],
    },
    "10": {
        "objectives": [
            r"compute PSNR per image and explain why it favours the MSE-trained model;",
            r"write the pixel shuffle of a sub-pixel convolution and SRGAN's generator loss (feature-space content loss plus $10^{-3}$ times an adversarial term);",
            r"train SRResNet-MSE, SRResNet-φ and SRGAN from the same start and compare them with bicubic by PSNR, SSIM, Fréchet distance, feature distance and sharpness;",
            r"separate the effect of the adversarial term (SRGAN against SRResNet-φ) from that of the feature loss, and say which metrics the shared classifier biases.",
        ],
        "questions": [
            {
                "before": "c16", "fingerprint": "var classifier = FashionClassifier.LoadShipped();\nclassifier.eval();",
                "text": r"Suppose a thumbnail fits exactly two high-resolution images, equally likely, that differ only on one set of pixels: there one has $+1$ and the other $-1$. What does the MSE-optimal network output on those pixels? Compare its expected squared error there with that of a sharp guess of one of the two images, and convert both to PSNR (data range $L = 2$).",
                "answer": r"The MSE is minimized by the conditional mean, $0$: mid-grey, a blend of both answers. Its squared error is 1 whichever image is true: $10\log_{10}(4/1) \approx 6.0$ dB. A sharp guess is exactly right half the time (error 0) and off by 2 otherwise (squared error 4): an expected squared error of 2, $10\log_{10}(4/2) \approx 3.0$ dB. The blend wins by about 3 dB although it looks like neither image — why the MSE model should lead on PSNR while looking blurred.",
            },
            {
                "before": "c21", "fingerprint": "SrResNet FromMse()",
                "text": r"The next two models match $\phi$, the classifier's second convolution after its ReLU, instead of pixels. Why does an edge placed one pixel off cost less in feature space than in the pixel MSE, and what kind of artefact can a feature loss fail to penalize? Predict what you will see in their images.",
                "answer": r"$\phi$ comes after two convolutions with a max-pool between them: its responses are local, smoothed over the receptive field and partly invariant to small shifts, so an edge one pixel off changes the features little, while the pixel MSE charges the full difference on both sides of the edge. Conversely $\phi$ is many-to-one: a pixel pattern that excites the same filters — a regular high-frequency texture, say — costs little in feature space although the pixel MSE would forbid it. Expect the φ-trained outputs to be sharper than SRResNet-MSE's, possibly with such a texture (the text below describes a dotted one).",
            },
            {
                "before": "c25", "fingerprint": "var truthFeatures = classifier.Features(testHr);",
                "text": r"Which pair of models in the next table isolates the effect of the adversarial term, and why not SRGAN against SRResNet-MSE? Predict the direction of the adversarial term's effect on PSNR and on sharpness.",
                "answer": r"SRGAN against SRResNet-φ: both start from the same SRResNet-MSE weights, see the same batches, start from the same discriminator weights and use the same content loss; the only difference is the $10^{-3}$-weighted adversarial term. SRGAN against SRResNet-MSE changes two things at once (the content loss moves from pixels to features, and the adversarial term is added), and the feature-based columns are computed by the very classifier that defines $\phi$, which favours both φ-trained models. The adversarial term pushes outputs away from the blurred conditional mean towards images $D$ accepts as real: expect an equal or lower PSNR and a sharpness closer to the truth's — with a weight of $10^{-3}$ and a short run, possibly a small difference.",
            },
        ],
        "summary": [
            r"Super-resolution has many right answers; the MSE-trained SRResNet outputs their mean, which PSNR, a log-scale MSE, favours.",
            r"Sub-pixel convolutions (pixel shuffle) upsample inside the network; SRGAN's generator loss is a content loss in a fixed network's feature space plus $10^{-3}$ times an adversarial term.",
            r"Bicubic, SRResNet-MSE, SRResNet-φ and SRGAN are compared by PSNR, SSIM, Fréchet distance, feature distance, accuracy and sharpness; SRGAN against SRResNet-φ isolates the adversarial term, and the shared classifier biases the feature metrics.",
            r"The claims table above says which parts of the paper's finding held in this run.",
        ],
        "references": [SRGAN, ESPCN, SSIM],
    },
    "11": {
        "objectives": [
            r"explain StyleGAN's two sources of variation — a mapped latent $w$ used as per-layer styles, and per-pixel noise — and compute StyleGAN2's demodulation factors;",
            r"implement style mixing (one crossover layer per example) and spherical interpolation, and measure how truncation trades diversity for typicality;",
            r"read a style-mixing grid (coarse against fine styles) and measure what the per-pixel noise changes;",
            r"estimate the perceptual path length in $Z$ and in $W$ and test the paper's claim that $W$ is smoother, at this scale.",
        ],
        "questions": [
            {
                "before": "0270dcee", "fingerprint": "var opts = StyleGanOptions.Gray32;",
                "text": r"A modulated $3\times3$ convolution computes output channel $j$ as $y_j = \sum_{i,k} s_i w_{ijk}\,x_{i,k}$ (input channel $i$, kernel tap $k$). Assume the inputs $x_{i,k}$ are independent with zero mean and unit variance. Compute $\mathrm{Var}(y_j)$ and show that StyleGAN2's demodulation restores unit variance. What does the style $s$ still control afterwards?",
                "answer": r"The terms are independent with variances $(s_i w_{ijk})^2$, so $\mathrm{Var}(y_j) = \sum_{i,k}(s_i w_{ijk})^2$. Demodulation divides the modulated weights by $\sqrt{\sum_{i,k}(s_i w_{ijk})^2 + \epsilon}$, which makes $\mathrm{Var}(y_j) \approx 1$ whatever the style — the job AdaIN's normalization did, done here on the weights from assumed rather than measured statistics. The style still sets the *relative* weights of the input channels: raising $s_i$ strengthens channel $i$'s contribution against the others, which is how $w$ changes what the layer draws.",
            },
            {
                "before": "e3e79166", "fingerprint": "var psis = new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 };",
                "text": r"The next cell samples with $w' = \bar w + \psi(w - \bar w)$ for $\psi$ from 0 to 1. Predict how the Fréchet distance, the entropy of the classifier's class histogram and the per-pixel standard deviation across samples change with $\psi$, and say where the Fréchet distance could have its minimum.",
                "answer": r"At $\psi = 0$ every sample gets the same style $\bar w$ and differs only by its per-pixel noise: practically one image, so a class entropy near 0, a small per-pixel standard deviation, and a large Fréchet distance (the covariance term sees no variety, and one average garment's features do not have the data's mean). As $\psi$ grows, variety returns: entropy and pixel spread rise towards the real data's (up to $\log 10 \approx 2.30$ nats for balanced classes), and the Fréchet distance falls. Its minimum is at $\psi = 1$ if untruncated samples are all good, or at some $\psi < 1$ if atypical $w$ far from $\bar w$ give poor images — then truncation removes bad samples faster than it removes diversity.",
            },
            {
                "before": "337ebbae", "fingerprint": "Tensor Feats(Tensor images) => classifier.Features(images);",
                "text": r"The path length divides $d(g(t), g(t + \epsilon))$, a *squared* feature distance, by $\epsilon^2$. Why $\epsilon^2$ and not $\epsilon$? Why are paths in $Z$ spherical and paths in $W$ straight? And why does the paper expect shorter paths in $W$?",
                "answer": r"""For a smooth generator, $g(t + \epsilon) - g(t) \approx \epsilon\, g'(t)$, so the squared distance is about $\epsilon^2 \lVert g'(t)\rVert^2$ in feature space; dividing by $\epsilon^2$ gives a finite limit, the squared speed at which the features change along the path (divided by $\epsilon$ it would vanish as $\epsilon \to 0$). $Z$ has a fixed Gaussian prior whose samples concentrate near a sphere, so slerp keeps the path where training latents lie; $W$ has no fixed shape — it is whatever the mapping network produces — and a straight line is the natural path there. In $Z$ the whole generator must carve a fixed Gaussian into the data's factors of variation, which forces abrupt changes along some paths; the mapping network can "unwarp" $W$ so that images change more evenly along straight lines, giving shorter average paths.""",
            },
        ],
        "summary": [
            r"A small StyleGAN2-style generator — mapping network at $0.01\times$ the learning rate, modulated and demodulated convolutions, per-pixel noise, style mixing, lazy R1 — trains on Fashion-MNIST at $32\times32$.",
            r"The style-mixing grid and the noise probe show what coarse styles, fine styles and noise control at this scale.",
            r"Truncation towards $\bar w$ is measured as a trade between diversity (class entropy, pixel spread) and Fréchet distance.",
            r"The perceptual path length, with classifier features in place of VGG, tests the paper's claim that $W$ is smoother than $Z$. The claims table above says which statements held in this run.",
        ],
        "references": [STYLEGAN, STYLEGAN2, STYLEGAN2_ADA],
    },
    "12": {
        "objectives": [
            r"follow WaveGAN's stride-4 transposed convolutions ($16 \to 4096$ samples) and predict the spectral lines their stride leaves in the output, then find them with an FFT;",
            r"implement phase shuffle with reflection and explain what cue it takes away from the critic;",
            r"compute an inception score from a classifier's probabilities and read it together with the spectral distance and the class shares;",
            r"train WaveGAN with WGAN-GP, listen to its clips, look for stride artefacts in the average spectrum, and run the phase-shuffle ablation.",
        ],
        "questions": [
            {
                "before": "3ad7b864", "fingerprint": "Seeding.Seed(seed);\nvar classifier = new AudioClassifier();",
                "text": r"The next cell scores held-out real clips and uniform noise with the inception score $\exp \mathbb{E}_x \mathrm{KL}(p(y \mid x) \Vert p(y))$ over $K = 4$ classes. Show that $1 \le \mathrm{IS} \le K$ and predict both scores.",
                "answer": r"$\mathbb{E}_x \mathrm{KL}(p(y \mid x) \Vert p(y))$ is the mutual information $I(y; x)$ between the classifier's label and the clip, which lies between 0 and $H(y) \le \log K$; hence $1 \le \mathrm{IS} \le K = 4$, with $K$ reached only by confident predictions spread evenly over all classes. The held-out real clips are balanced and a good classifier is confident on them: expect a score close to 4. Noise clips all look alike to the classifier, so $p(y \mid x) \approx p(y)$ for each of them — whether it is unsure or names the same class every time — and the score is close to 1.",
            },
            {
                "before": "05414f86", "fingerprint": "Charts.Curves(new[] { Series.Of(main.Trainer.History[\"W\"]",
                "text": r"The next cell plots the WGAN-GP critic's estimate $\mathbb{E}[D(x)] - \mathbb{E}[D(G(z))]$. What should it do as $G$ improves, and why is it comparable only within one run?",
                "answer": r"With the penalty holding the critic's gradient norm near 1 at the interpolates, the estimate approximates $W_1$ between real and generated clips, so it should fall as $G$'s clips approach the real ones — noisily, since the critic trains alongside and is never at its optimum. It is a lower bound on $W_1$ only for a 1-Lipschitz critic, which the soft penalty does not guarantee, and its value depends on the critic's current state and on the data's scale ($W_1$ scales with the amplitudes). Another run has another critic with another effective slope, so only the trend within a run carries meaning.",
            },
            {
                "before": "21ec8ef5", "fingerprint": "### Exercise 2 · The stride artefact's spectral lines",   # before the exercise, which spells the rule out
                "text": r"A transposed convolution with stride 4 and 25 taps builds each output sample from the taps that line up with it. Count the taps that serve each of the four output phases ($t \bmod 4$) and explain why this leaves a periodic pattern. At which frequencies do you expect peaks in the average spectrum at $f_s = 8$ kHz, from the last layer and from the layers before it?",
                "answer": r"Output sample $t$ receives input $n$ through tap $k = t + p - 4n$, so the taps serving one output phase are those with one residue of $k$ modulo 4: $25 = 4 \cdot 6 + 1$ taps split into one phase of 7 taps and three of 6. The four phases thus apply different filters (different gains even for a constant input), which imprints a pattern of period 4 samples on the output: lines at multiples of $f_s/4 = 2$ kHz. The layer before works at a quarter of the output rate, so its period of 4 samples is 16 output samples: multiples of $f_s/16 = 500$ Hz, and the layer before that $f_s/64 = 125$ Hz. Training can suppress these patterns, so whether they show depends on the run.",
            },
        ],
        "summary": [
            r"WaveGAN is DCGAN in one dimension: kernels of 25 taps with stride 4 grow 16 samples to 4096, trained with WGAN-GP.",
            r"Quality is measured with a classifier trained on real clips (inception score, class shares) and by the spectral distance between average power spectra, against held-out real clips and noise; the clips play in the notebook.",
            r"Stride-4 transposed convolutions can leave spectral lines at multiples of $f_s/4$ and of its quarters; phase shuffle takes the phase cue away from the critic, and the ablation compares runs with and without it.",
            r"The claims table above says which statements held in this run; the phase-shuffle comparison rests on one seed.",
        ],
        "references": [WAVEGAN, DCGAN, WGAN_GP],
    },
    "13": {
        "objectives": [
            r"write one look-ahead step of an unrolled GAN with its graph kept, and explain the reaction term in $G$'s gradient that the first-order variant drops;",
            r"pack samples for a PacGAN discriminator and explain why packs make a collapsed generator easy to spot;",
            r"compute the table's statistics — the reverse KL of the mode histogram, mean ± standard error over seeds — and train ten seeds as one ensemble model;",
            r"compare GAN, unrolled GAN, PacGAN2–4 and WGAN-GP on the ring and the grid over ten seeds and, in the `paper` profile, against PacGAN's Table 1.",
        ],
        "questions": [
            {
                "before": "77f6afac", "fingerprint": "var ringBox = Box2D.Square(1.6);",
                "text": r"In an unrolled GAN, $G$'s gradient is $\partial\mathcal{L}_G/\partial\theta_G + (\partial\mathcal{L}_G/\partial\theta^k)(d\theta^k/d\theta_G)$. What is the method for $k = 0$? For a $G$ with all its samples on one ring mode, explain what the second term adds, and predict what the snapshots of $k = 0$ and $k = 10$ in the next cells will look like.",
                "answer": r"For $k = 0$ there is no look-ahead: $\theta^0 = \theta_D$ does not depend on $\theta_G$, the second term vanishes and the method is the plain GAN. For a pile on one mode, the first term pushes $G$ towards wherever the current $D$ is highest — moving the whole pile to another mode, which $D$ then learns to reject (notebook 02's hopping). The second term differentiates through $D$'s next $k$ updates: putting more mass on a mode makes those updates lower $D$ there and so raises $G$'s loss, which penalizes concentrating and rewards spreading mass over modes that $D$ cannot quickly reject. Expect the $k = 0$ snapshots to show mass concentrated on a few modes or moving between them, and the $k = 10$ snapshots a wider spread; Metz et al. report all 8 modes for $k = 10$, and these short runs may show less.",
            },
            {
                "before": "a992ea88", "fingerprint": "var pac2 = Run(\"PacGAN2\", ring, nRing);",
                "text": r"Suppose $G$ has collapsed onto 2 of the 8 ring modes (half its samples on each) while the data spread evenly. For packs of $m$ samples, what share of *real* packs lie entirely on those two modes, and what share of *generated* packs? Evaluate for $m = 1, 2, 4$ and explain why packing helps $D$ see the collapse.",
                "answer": r"A real sample lies on one of the two modes with probability $2/8 = \tfrac14$, so a real pack lies entirely on them with probability $(1/4)^m$: $0.25$, $0.0625$ and about $0.004$ for $m = 1, 2, 4$; every generated pack does (probability 1). One sample at a time, $D$ sees the two modes among the real data too; a pack of 4 drawn from only two modes almost never occurs among real packs. The difference between the real and the generated distribution of packs grows with $m$, so $D$ can reject a collapsed generator more confidently and $G$ pays more for the modes it misses — while nothing else in the GAN changes.",
            },
            {
                "before": "f13647ae", "fingerprint": "string Cell(IEnumerable<double> xs, string format)",
                "text": r"The results table reports mean ± standard error over ten seeds. If two methods' mean numbers of captured ring modes differ by 0.6 and each has a standard error of 0.3, is the difference convincing? What is the standard error of the difference, and why is a single seed (as in notebooks 02 and 04) not enough to rank methods?",
                "answer": r"Treating the two methods' runs as independent, the standard error of the difference is $\sqrt{0.3^2 + 0.3^2} \approx 0.42$, so a difference of 0.6 is about 1.4 standard errors — not convincing: with no real difference, one this large or larger turns up about 16 % of the time (normal approximation, either sign). A standard error is $s/\sqrt{n}$, with $s$ the spread between seeds; a single seed gives no estimate of $s$ at all, and on these mixtures GAN runs differ from seed to seed by whole modes, so a ranking from one seed can be reversed by the next.",
            },
        ],
        "summary": [
            r"Unrolled GAN differentiates $G$'s loss through $k$ look-ahead steps of $D$ (here continuing $D$'s Adam); PacGAN lets $D$ judge packs of $m$ samples.",
            r"The seeds of each method train as one ensemble model, whose member 0 is checked against the single run with its seed; mode coverage on the ring and the grid is reported as mean ± standard error over seeds.",
            r"GAN, unrolled $k = 5$ and $k = 10$, PacGAN2–4 and WGAN-GP are compared in short runs of the course's MLPs; the `paper` profile adds PacGAN's own setting beside its Table 1.",
            r"The claims table above says which of the papers' conclusions held in this run.",
        ],
        "references": [UNROLLED, PACGAN, code("fjxmlzn/PacGAN", "Official PacGAN code"), VEEGAN, WGAN_GP],
    },
}


# ----------------------------------------------------------------------------------------------------------------------
# Building the cells

def source_lines(text):
    """The source as Jupyter stores it: a list of lines, each but the last ending in a newline."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def markdown_cell(cell_id, metadata, text):
    return {"cell_type": "markdown", "id": cell_id, "metadata": metadata, "source": source_lines(text)}


def question_ids(nn, k):
    return f"{nn}-q-{k}-text", f"{nn}-q-{k}"


def objectives_text(ch):
    return "**After this chapter you can**\n\n" + "\n".join(f"- {b}" for b in ch["objectives"])


def question_text(nn, k, q):
    return f"**Question {int(nn)}.{k}** ({POINTS} points) {q['text']}"


def answer_text(q):
    return "*Your answer:*\n<!-- BEGIN SOLUTION -->\n" + q["answer"] + "\n<!-- END SOLUTION -->"


def summary_text(ch):
    return ("## Summary\n\n" + "\n".join(f"- {b}" for b in ch["summary"])
            + "\n\n## References\n\n" + "\n".join(f"- {r}" for r in ch["references"]))


def cell_id(key, taken):
    """An 8-hex id from the cell's role, stable across runs; re-hashed in the (unlikely) case of a collision."""
    salt = 0
    while True:
        h = hashlib.sha1(f"gannb-course:{key}:{salt}".encode("utf-8")).hexdigest()[:8]
        if h not in taken:
            taken.add(h)
            return h
        salt += 1


class CourseTextError(Exception):
    pass


def find_anchor(cells, q, name):
    for i, c in enumerate(cells):
        if c.get("id") == q["before"]:
            return i
    for i, c in enumerate(cells):
        if "".join(c.get("source", [])).startswith(q["fingerprint"]):
            return i
    raise CourseTextError(f"{name}: the cell a question is placed before (id '{q['before']}', source starting "
                          f"{q['fingerprint'][:40]!r}) is not in the notebook")


def apply(nb, nn, name):
    """Returns the notebook with this chapter's course cells (re)built; the input is not modified."""
    ch = CHAPTERS[nn]
    cells = [c for c in nb["cells"] if MARKER not in c.get("metadata", {})]
    if not cells or cells[0].get("cell_type") != "markdown" or not "".join(cells[0]["source"]).startswith(f"# {nn} "):
        raise CourseTextError(f"{name}: the first cell is not the chapter's title (markdown '# {nn} …')")
    existing_grade_ids = {c["metadata"]["nbgrader"].get("grade_id") for c in cells if "nbgrader" in c.get("metadata", {})}
    taken = {c.get("id") for c in cells}

    inserts = {}   # index of an existing cell -> course cells to put before it
    for k, q in enumerate(ch["questions"], start=1):
        text_gid, answer_gid = question_ids(nn, k)
        for gid in (text_gid, answer_gid):
            if gid in existing_grade_ids:
                raise CourseTextError(f"{name}: grade_id '{gid}' already belongs to an exercise of the notebook")
        at = find_anchor(cells, q, name)
        if at == 0:
            raise CourseTextError(f"{name}: question {k} would go before the title cell")
        question = markdown_cell(cell_id(text_gid, taken), {
            MARKER: "question",
            "nbgrader": {"grade": False, "grade_id": text_gid, "locked": True, "schema_version": 3, "solution": False},
        }, question_text(nn, k, q))
        answer = markdown_cell(cell_id(answer_gid, taken), {
            MARKER: "answer",
            "nbgrader": {"grade": True, "grade_id": answer_gid, "locked": False, "points": POINTS, "schema_version": 3,
                         "solution": True},
        }, answer_text(q))
        inserts.setdefault(at, []).extend([question, answer])

    out = []
    for i, c in enumerate(cells):
        out.extend(inserts.get(i, []))
        out.append(c)
        if i == 0:
            out.append(markdown_cell(cell_id(f"{nn}-objectives", taken), {MARKER: "objectives"}, objectives_text(ch)))
    out.append(markdown_cell(cell_id(f"{nn}-summary", taken), {MARKER: "summary"}, summary_text(ch)))

    result = dict(nb)
    result["cells"] = out
    return result


def serialize(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def chapter_files(folder):
    return sorted(f for f in os.listdir(folder) if CHAPTER_FILE.match(f))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="the notebooks folder (chapters NN-*.ipynb, 01 to 13)")
    parser.add_argument("--check", action="store_true", help="only verify the notebooks (tools/course_text_check.py)")
    args = parser.parse_args(argv)

    if args.check:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import course_text_check
        return course_text_check.main([args.folder])

    files = chapter_files(args.folder)
    found = {f[:2] for f in files}
    missing = sorted(set(CHAPTERS) - found)
    errors = [f"{args.folder}: no notebook for chapter {nn}" for nn in missing]
    results = []
    for f in files:
        path = os.path.join(args.folder, f)
        with open(path, encoding="utf-8") as fh:
            before = fh.read()
        try:
            after = serialize(apply(json.loads(before), f[:2], path))
        except (CourseTextError, KeyError, ValueError) as e:
            errors.append(str(e))
            continue
        results.append((path, before, after))
    if errors:
        for e in errors:
            print(f"course_text: {e}", file=sys.stderr)
        print("course_text: nothing written", file=sys.stderr)
        return 1
    for path, before, after in results:
        if after == before:
            print(f"{path}: unchanged")
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(after)
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
