"The course's public API in one import: `from gd_notebooks.all import *`."
from .data import *
from .neuron import *
from .explorer import *
from .collapse import *
from .relu import *
from .learning_rate import *
from .momentum import *
